package synthetic

import (
	"iter"
	"math/rand/v2"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// Set is a synthetic data set of a fixed number of incidents. It holds only small fixed
// tables; All generates the incidents afresh on every call.
type Set struct {
	rows  int
	seed  uint64
	start time.Time // the window's start: now − 90 days, UTC, whole microseconds
	world *world
	clock *clock
	space *space
}

// Generate describes the synthetic set of rows incidents for seed, reaching back 90 days
// from now. It does not generate anything yet: that happens, in constant memory, each time
// All is iterated. The same rows, seed and now always give the same incidents.
func Generate(rows int, seed uint64, now time.Time) *Set {
	rows = max(rows, 0)
	end := now.UTC().Truncate(time.Microsecond)
	start := end.Add(-window)
	w := newWorld(rows, seed)
	return &Set{rows: rows, seed: seed, start: start, world: w, clock: newClock(start, seed), space: newSpace(seed, w)}
}

// Len is the number of incidents All yields.
func (s *Set) Len() int { return s.rows }

// All yields the incidents with ids 1..Len in ascending start time. Every call yields the
// identical sequence (postgres.Load reads its source twice); calls may run concurrently.
// Each event is freshly allocated, so callers may keep or change it.
func (s *Set) All() iter.Seq[domain.IncidentEvent] {
	return func(yield func(domain.IncidentEvent) bool) {
		g := &stream{
			set:  s,
			r:    rand.New(rand.NewPCG(s.seed, streamEvents)),
			re:   rand.New(rand.NewPCG(s.seed, streamEmbeddings)),
			tick: ticker{c: s.clock, r: rand.New(rand.NewPCG(s.seed, streamTimes)), n: s.rows},
		}
		for i := range s.rows {
			if !yield(g.next(i)) {
				return
			}
		}
	}
}

// Probabilities of the generator; see the package documentation for the resulting mix.
const (
	failureScale      = 0.65  // scales the choices' failure rates so ~15% of traces fail, as in production
	noFingerprint     = 0.022 // alerts without a fingerprint, after migration 008
	homeCluster       = 0.75  // an object alerts in its home cluster, else anywhere
	secondarySeverity = 0.25
	retryAfterFailure = 0.75
	refireAfterFix    = 0.12
	maxAttempts       = 4
	reuseRequest      = 0.3 // a retry under the failed attempt's remediation request
	noMetadata        = 0.10
	noError           = 0.05 // failures that recorded no error text
	noEmbedding       = 0.02
	legacyNoStatus    = 0.02 // legacy rows whose status was never written
	legacyNoTimestamp = 0.15 // legacy rows without created_at / updated_at
	noTimestamp       = 0.003
	minute            = float64(time.Minute / time.Microsecond)
)

// stream is the state of one pass: three generators, the clock's position and the
// follow-ups scheduled but not yet due.
type stream struct {
	set     *Set
	r, re   *rand.Rand
	tick    ticker
	pending queue
	seq     uint64
}

func (g *stream) next(i int) domain.IncidentEvent {
	s, w, r := g.set, g.set.world, g.r
	off := g.tick.offset(i)
	occ, ok := g.pending.popDue(off)
	if ok {
		occ.attempt++
	} else {
		occ = g.newOccurrence()
	}
	legacy := r.Float64() < legacyProbability(i, s.rows)
	rl := &w.alerts[occ.alert]
	ci := g.chooseAction(&occ, rl)
	c := rl.choices[ci]
	act := &actions[c.action]
	cl := &clusters[occ.cluster]

	e := domain.IncidentEvent{
		ID:             int64(i + 1),
		Name:           rl.def.name,
		TargetResource: kindNames[occ.obj.kind],
		TargetName:     occ.obj.name,
		Severity:       occ.severity,
		ActionType:     act.name,
		StartTime:      s.at(off),
	}
	if occ.obj.ns >= 0 {
		e.Namespace = ptr(namespaces[occ.obj.ns].name)
	}
	if !legacy {
		e.ClusterName = ptr(cl.name)
		e.Environment = ptr(string(cl.env))
		if occ.fingerprint != "" {
			e.AlertFingerprint = ptr(occ.fingerprint)
		}
	}
	if occ.request != "" && occ.lastFailed && r.Float64() < reuseRequest {
		e.RemediationRequestID = occ.request
	} else {
		e.RemediationRequestID = newUUID(r)
	}

	// Outcome, then whether it is still under way.
	fail := (1 - c.success) * failureScale
	if cl.env == domain.EnvironmentDevelopment || cl.env == domain.EnvironmentTest {
		fail = min(1.3*fail, 0.9) // less careful environments fail more
	}
	status := domain.StatusCompleted
	if r.Float64() < fail {
		status = domain.StatusFailed
		if r.Float64() < act.rolledBack {
			status = domain.StatusRolledBack
		}
	}
	dur := durationMs(r, act)
	end := off + dur*1000
	status = inFlight(r, status, off, end)
	finished := status != domain.StatusPending && status != domain.StatusExecuting
	if legacy && r.Float64() < legacyNoStatus {
		e.Status = nil
	} else {
		e.Status = ptr(status)
	}
	if finished {
		e.EndTime = ptr(s.at(end))
		e.DurationMs = ptr(dur)
		if e.Status != nil && status != domain.StatusCompleted && r.Float64() >= noError {
			e.ErrorMessage = ptr(errorMessage(r, act, occ.obj.name))
		}
	}
	if r.Float64() >= noMetadata {
		e.Metadata = metadata(r, rl.def, act, occ.obj.name, occ.attempt)
	}
	g.stamp(&e, legacy, off, end, finished)
	if r.Float64() >= noEmbedding {
		e.Embedding = make([]float32, dims)
		s.space.embed(g.re, occ.alert, c.action, occ.obj.id, e.Embedding)
	}
	if finished && e.Status != nil {
		g.followUp(occ, ci, status, end, e.RemediationRequestID)
	}
	return e
}

// newOccurrence draws a fresh alert firing: alert, object, cluster, severity, fingerprint.
func (g *stream) newOccurrence() occurrence {
	w, r := g.set.world, g.r
	a := pick(w.alertCum, r.Float64())
	rl := &w.alerts[a]
	obj := w.drawObject(rl.kinds[pick(rl.kindCum, r.Float64())], r.Float64())
	occ := occurrence{alert: a, obj: obj, cluster: obj.cluster, severity: rl.severity[0], attempt: 1, last: -1}
	if obj.kind != kindNode && r.Float64() >= homeCluster {
		occ.cluster = pick(w.clusterCum, r.Float64())
	}
	if rl.severity[1] != "" && r.Float64() < secondarySeverity {
		occ.severity = rl.severity[1]
	}
	if r.Float64() >= noFingerprint {
		occ.fingerprint = newFingerprint(r)
	}
	return occ
}

// chooseAction picks the action of this attempt among those that can act on the object:
// by the planner's weights at first; after a failure, one not yet failed (when any is
// left); after a fix that did not hold, the same one half the time.
func (g *stream) chooseAction(occ *occurrence, rl *rule) int {
	r := g.r
	if occ.last >= 0 && !occ.lastFailed && r.Float64() < 0.5 {
		return occ.last
	}
	var allowed, fresh [8]bool
	var anyAllowed, anyFresh bool
	for i, c := range rl.choices {
		allowed[i] = actions[c.action].on.has(occ.obj.kind)
		fresh[i] = allowed[i] && occ.tried&(1<<i) == 0
		anyAllowed = anyAllowed || allowed[i]
		anyFresh = anyFresh || fresh[i]
	}
	if !anyAllowed {
		panic("synthetic: alert " + rl.def.name + " has no action for " + kindNames[occ.obj.kind])
	}
	from := allowed
	if anyFresh {
		from = fresh
	}
	var sum float64
	for i, c := range rl.choices {
		if from[i] {
			sum += c.weight
		}
	}
	u := r.Float64() * sum
	last := 0
	for i, c := range rl.choices {
		if !from[i] {
			continue
		}
		last = i
		if u < c.weight {
			return i
		}
		u -= c.weight
	}
	return last // rounding
}

// at turns a window offset into a time.
func (s *Set) at(off int64) time.Time {
	return s.start.Add(time.Duration(off) * time.Microsecond)
}

func ptr[T any](v T) *T { return &v }
