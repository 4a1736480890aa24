package synthetic

import (
	"math/rand/v2"

	"github.com/contextapi/contextapi/internal/domain"
)

// inFlight decides whether a trace is still under way: it is executing when its action
// would end after now; otherwise, within the last six hours, a trace is still pending
// (queued or waiting for approval) or executing (stuck on a long drain or resync) with a
// chance falling from 60% to none, so in-flight rows appear only in the most recent hours
// (about 1.8 hours' worth of traces at any size).
func inFlight(r *rand.Rand, status string, off, end int64) string {
	age := float64(windowUS-off) / minute
	switch {
	case end >= windowUS:
		return domain.StatusExecuting
	case age < inFlightMinutes && r.Float64() < 0.6*(1-age/inFlightMinutes):
		if r.Float64() < 0.5 {
			return domain.StatusExecuting
		}
		return domain.StatusPending
	}
	return status
}

// inFlightMinutes is how far back traces may still be under way.
const inFlightMinutes = 360

// stamp sets created_at (the insert, just after the start) and updated_at (the last
// write: the end, or the insert while under way), NULL on a few rows, more of the old.
func (g *stream) stamp(e *domain.IncidentEvent, legacy bool, off, end int64, finished bool) {
	r := g.r
	missing := noTimestamp
	if legacy {
		missing = legacyNoTimestamp
	}
	created := min(off+r.Int64N(300_000), windowUS-1)
	if r.Float64() >= missing {
		e.CreatedAt = ptr(g.set.at(created))
	}
	updated := created
	if finished {
		updated = max(min(end+r.Int64N(800_000), windowUS-1), end)
	}
	if r.Float64() >= missing {
		e.UpdatedAt = ptr(g.set.at(updated))
	}
}

// followUp schedules the next attempt of an occurrence, if there is one.
func (g *stream) followUp(occ occurrence, choice int, status string, end int64, request string) {
	r := g.r
	if occ.attempt >= maxAttempts {
		return
	}
	occ.last, occ.request = choice, request
	occ.lastFailed = status != domain.StatusCompleted
	var due int64
	switch {
	case occ.lastFailed && r.Float64() < retryAfterFailure:
		occ.tried |= 1 << choice
		due = end + logUniform(r, 10*minute, 240*minute)
	case !occ.lastFailed && r.Float64() < refireAfterFix:
		due = end + logUniform(r, 60*minute, 36*60*minute)
	default:
		return
	}
	if due >= windowUS {
		return // it would happen after now
	}
	g.seq++
	g.pending.schedule(followUp{due: due, seq: g.seq, occ: occ})
}

// legacyProbability is the chance that row i of n predates migration 008: certain for
// the oldest 2.5%, fading out by 3.5%, about 3% in all.
func legacyProbability(i, n int) float64 {
	q := float64(i) / float64(n)
	return min(max((0.035-q)/0.01, 0), 1)
}
