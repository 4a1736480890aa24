package dataset

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// addBackground adds n finished incidents drawn from the vocabulary: the everyday noise
// around the stories.
func (g *generator) addBackground(n int) {
	first := len(g.drafts)
	for range n {
		ago := g.sampleAgo(45 * time.Minute)
		d := g.randomDraft(ago)
		if ago > 79*24*time.Hour && g.r.Float64() < 0.85 {
			d.cluster, d.env = nil, "" // written before migration 008
			if g.r.Float64() < 0.2 {
				d.embedding = nil // never backfilled
			}
		}
		g.settle(&d)
		g.drafts = append(g.drafts, d)
	}
	// A legacy writer stored two rows without a status (the column has no NOT NULL).
	blanked := 0
	for i := first; i < len(g.drafts) && blanked < 2; i++ {
		if d := &g.drafts[i]; d.ago > 20*24*time.Hour && *d.status == domain.StatusCompleted {
			d.status = nil
			blanked++
		}
	}
}

// addInFlight adds remediations of the last minutes that are queued or running.
func (g *generator) addInFlight() {
	g.quiet = true
	defer func() { g.quiet = false }()
	for i := range 6 {
		status, lo, hi := domain.StatusExecuting, 2*time.Minute, 40*time.Minute
		if i%2 == 1 {
			status, lo, hi = domain.StatusPending, 40*time.Second, 9*time.Minute
		}
		d := g.randomDraft(lo + time.Duration(g.r.Int64N(int64(hi-lo))).Truncate(time.Microsecond))
		d.status, d.runMs = ptr(status), inFlight
		if status == domain.StatusPending && g.r.Float64() < 0.5 {
			d.embedding = nil // not embedded yet
		}
		g.drafts = append(g.drafts, d)
	}
}

// randomDraft picks an alert, a cluster, an object and an action for an incident that
// started ago before now.
func (g *generator) randomDraft(ago time.Duration) draft {
	var (
		a     *alertDef
		c     *clusterDef
		cands []object
	)
	for len(cands) == 0 { // some alerts fire on a few objects only
		a = &alerts[pick(g.r, len(alerts), func(i int) float64 { return alerts[i].weight })]
		c = &clusters[pick(g.r, len(clusters), func(i int) float64 { return clusters[i].weight })]
		cands = g.candidates(a, c)
	}
	env := c.env
	if c.env == domain.EnvironmentDevelopment && g.r.Float64() < 0.3 {
		env = domain.EnvironmentTest // CI's namespaces on the kind cluster
	}
	o := cands[pick(g.r, len(cands), func(i int) float64 { return cands[i].weight })]
	acts := slices.DeleteFunc(slices.Clone(a.actions), func(ch choice) bool { return !allows(ch.action, o.kind) })
	ch := acts[pick(g.r, len(acts), func(i int) float64 { return acts[i].weight })]

	d := g.newDraft(a, o, ch.action, ago, noiseMin+(noiseMax-noiseMin)*g.r.Float64())
	d.rrid, d.cluster, d.env = g.uuid(), c, env
	d.severity = g.severity(a, env)
	d.status = ptr(g.outcome(ch))
	d.noFingerprint = g.r.Float64() < 0.06 // alerts from sources without a fingerprint
	if g.r.Float64() >= 0.07 {
		d.metadata = g.metadata(a, ch.action, o, nil)
	}
	if g.r.Float64() < 0.03 {
		d.embedding = nil
	}
	if g.r.Float64() < 0.02 {
		d.createdLag = -1
	}
	if g.r.Float64() < 0.02 {
		d.updatedLag = -1
	}
	return d
}

// candidates are the objects alert a can fire on in cluster c, leaving out what the
// stories own.
func (g *generator) candidates(a *alertDef, c *clusterDef) []object {
	free := func(o object) bool {
		k := o.key()
		return !g.reserved[k] && !g.reserved[a.name+"|"+k] && !(g.quiet && g.reserved["story|"+k])
	}
	var out []object
	if slices.Contains(a.kinds, "Node") {
		for _, n := range c.nodes {
			if o := (object{"", "Node", n, 1}); free(o) {
				out = append(out, o)
			}
		}
		return out
	}
	for _, o := range workloads {
		fits := slices.Contains(a.kinds, o.kind)
		if len(a.only) > 0 {
			fits = slices.Contains(a.only, o.name)
		}
		if fits && free(o) {
			out = append(out, o)
		}
	}
	return out
}

// settle decides how long a finished incident ran, what it stored as duration and error.
// An incident that would end within the last minute is still executing.
func (g *generator) settle(d *draft) {
	def := actionDefs[d.action]
	run := def.minMs + int64(float64(def.maxMs-def.minMs)*g.r.Float64()*g.r.Float64())
	switch *d.status {
	case domain.StatusFailed:
		if g.r.Float64() < 0.4 {
			run = def.maxMs // timed out
		}
		if g.r.Float64() < 0.85 {
			d.errMsg = ptr(fill(def.failures[g.r.IntN(len(def.failures))], d.obj.name))
		}
	case domain.StatusRolledBack:
		run += run / 2 // the undo takes time too
		if g.r.Float64() < 0.75 {
			d.errMsg = ptr(fill(rollbackNotes[g.r.IntN(len(rollbackNotes))], d.obj.name))
		}
	}
	d.runMs, d.durationMs = run, run
	if run > 50_000 && g.r.Float64() < 0.06 {
		d.durationMs = run - 2_000 - g.r.Int64N(40_000) // the executor did not count its queueing
	}
	if d.ago-time.Duration(run)*time.Millisecond < time.Minute {
		d.status, d.runMs, d.errMsg = ptr(domain.StatusExecuting), inFlight, nil
	}
}

// severity draws the alert's severity; outside production alerts are routed lower.
func (g *generator) severity(a *alertDef, env domain.Environment) string {
	names := [3]string{"critical", "warning", "info"}
	i := pick(g.r, 3, func(i int) float64 { return a.severity[i] })
	if env != domain.EnvironmentProduction && i < 2 && g.r.Float64() < 0.4 {
		i++
	}
	return names[i]
}

// outcome draws how a finished remediation with choice ch ended.
func (g *generator) outcome(ch choice) string {
	switch {
	case g.r.Float64() < ch.success:
		return domain.StatusCompleted
	case actionDefs[ch.action].rollsBack && g.r.Float64() < 0.7:
		return domain.StatusRolledBack
	}
	return domain.StatusFailed
}

// sampleAgo draws how long before now an incident started, at least least and less than
// the window: recent days are busier, and five busy days alternate with two quiet ones.
func (g *generator) sampleAgo(least time.Duration) time.Duration {
	weekly := [7]float64{1, 0.95, 0.9, 0.95, 1, 0.55, 0.5}
	lo, hi := least.Microseconds(), window.Microseconds()
	for {
		us := lo + g.r.Int64N(hi-lo)
		days := float64(us) / float64((24 * time.Hour).Microseconds())
		recency := 1 - days/90
		if g.r.Float64() < (1+2*recency*recency)/3*weekly[int(days)%7] {
			return time.Duration(us) * time.Microsecond
		}
	}
}

// uuid returns a random (version 4) UUID drawn from the generator.
func (g *generator) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.r.UintN(256)) // #nosec G115 -- UintN(256) is below 256
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// pick draws an index in [0, n) with probability proportional to weight(i).
func pick(r *rand.Rand, n int, weight func(i int) float64) int {
	var total float64
	for i := range n {
		total += weight(i)
	}
	x, last := r.Float64()*total, 0
	for i := range n {
		if w := weight(i); w > 0 {
			if x -= w; x < 0 {
				return i
			}
			last = i
		}
	}
	return last // rounding left x at zero
}
