package dataset

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

const (
	// window is how far back the demo set reaches.
	window = 90 * 24 * time.Hour
	// backgroundRows is the number of generated (non-story) finished incidents.
	backgroundRows = 300
	// The PCG seed ("context", "demo"): the demo set is the same on every run.
	seedHi, seedLo = 0x636f6e74657874, 0x64656d6f
)

// Demo returns the built-in demo data set: a few hundred remediation incidents from the
// 90 days before now, in ascending start time order with ids 1..N (see the package
// documentation for the stories it tells). It is deterministic: every time is now minus
// a fixed offset, so the same now gives the same set and another now shifts the times
// only. Times are UTC, truncated to microseconds as PostgreSQL stores them.
func Demo(now time.Time) []domain.IncidentEvent {
	g := &generator{
		r:        rand.New(rand.NewPCG(seedHi, seedLo)),
		emb:      newEmbedder(),
		reserved: make(map[string]bool),
	}
	g.addStories()
	g.addBackground(backgroundRows)
	g.addInFlight()
	return g.build(now.UTC().Truncate(time.Microsecond))
}

// draft is an incident before it is placed in time and numbered.
type draft struct {
	ago           time.Duration // start = now − ago
	alert         *alertDef
	obj           object
	action        string
	rrid          string
	severity      string
	cluster       *clusterDef // nil: written before migration 008
	env           domain.Environment
	noFingerprint bool
	status        *string
	runMs         int64 // end = start + runMs; inFlight: no end and no duration
	durationMs    int64 // the stored duration, usually runMs
	errMsg        *string
	metadata      json.RawMessage
	createdLag    time.Duration // created_at = start + createdLag; < 0: NULL
	updatedLag    time.Duration // updated_at = (end, or created_at) + updatedLag; < 0: NULL
	embedding     []float32
}

type generator struct {
	r        *rand.Rand
	emb      *embedder
	drafts   []draft
	reserved map[string]bool // object keys and alert|object pairs the stories own
	// quiet, while set, keeps incidents off the objects of multi-attempt stories
	// (in-flight incidents there would muddle the stories' endings).
	quiet bool
}

// addStories adds the hand-written stories and reserves their objects and alerts.
func (g *generator) addStories() {
	for _, o := range ownedObjects {
		g.reserved[o.key()] = true
	}
	for _, s := range stories {
		a := alertByName(s.alert)
		g.reserved[a.name+"|"+s.obj.key()] = true
		if len(s.steps) > 1 {
			g.reserved["story|"+s.obj.key()] = true
		}
		var c *clusterDef
		env := domain.Environment("")
		if s.cluster != "" {
			c = clusterByName(s.cluster)
			env = c.env
		}
		for _, st := range s.steps {
			d := g.newDraft(a, s.obj, st.action, st.ago, noiseStory)
			d.rrid, d.severity, d.cluster, d.env, d.noFingerprint = st.rrid, s.severity, c, env, s.noFingerprint
			d.status = ptr(st.status)
			d.runMs, d.durationMs = st.runMs, st.runMs
			if st.err != "" {
				d.errMsg = ptr(st.err)
			}
			d.metadata = g.metadata(a, st.action, s.obj, st.params)
			g.drafts = append(g.drafts, d)
		}
	}
}

// newDraft fills what every incident has: times after the start, the embedding.
func (g *generator) newDraft(a *alertDef, o object, action string, ago time.Duration, noise float64) draft {
	return draft{
		ago: ago, alert: a, obj: o, action: action,
		createdLag: time.Duration(40+g.r.IntN(860)) * time.Millisecond,
		updatedLag: time.Duration(20+g.r.IntN(580)) * time.Millisecond,
		embedding:  g.emb.embed(g.r, a, action, o, noise),
	}
}

// metadata is the action_parameters JSON object: the alert's description and the
// action's parameters, with extra merged over them.
func (g *generator) metadata(a *alertDef, action string, o object, extra map[string]any) json.RawMessage {
	p := actionParams(g.r, action, o)
	maps.Copy(p, extra)
	p["description"] = fill(a.about, o.name)
	b, err := json.Marshal(p)
	if err != nil {
		panic("dataset: " + err.Error()) // the parameters are plain values
	}
	return b
}

// build places the drafts in time, oldest first, and numbers them.
func (g *generator) build(now time.Time) []domain.IncidentEvent {
	slices.SortStableFunc(g.drafts, func(a, b draft) int { return cmp.Compare(b.ago, a.ago) })
	out := make([]domain.IncidentEvent, len(g.drafts))
	for i, d := range g.drafts {
		start := now.Add(-d.ago)
		e := domain.IncidentEvent{
			ID: int64(i + 1), Name: d.alert.name, RemediationRequestID: d.rrid,
			TargetResource: d.obj.kind, TargetName: d.obj.name, Status: d.status, Severity: d.severity,
			ActionType: d.action, StartTime: start, ErrorMessage: d.errMsg, Metadata: d.metadata,
			Embedding: d.embedding,
		}
		if d.obj.namespace != "" {
			e.Namespace = ptr(d.obj.namespace)
		}
		if d.cluster != nil {
			e.ClusterName, e.Environment = ptr(d.cluster.name), ptr(string(d.env))
			if !d.noFingerprint {
				e.AlertFingerprint = ptr(fingerprint(d.cluster.name, d.obj, d.alert.name))
			}
		}
		last := start.Add(max(d.createdLag, 0))
		if d.runMs != inFlight {
			end := start.Add(time.Duration(d.runMs) * time.Millisecond)
			e.EndTime, e.DurationMs, last = &end, ptr(d.durationMs), end
		}
		if d.createdLag >= 0 {
			e.CreatedAt = ptr(start.Add(d.createdLag))
		}
		if d.updatedLag >= 0 {
			e.UpdatedAt = ptr(last.Add(d.updatedLag))
		}
		out[i] = e
	}
	return out
}

// fingerprint imitates Alertmanager's: a stable hash of the alert's identifying labels,
// so the same alert on the same object keeps its fingerprint across firings.
func fingerprint(cluster string, o object, alert string) string {
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "%s|%s|%s|%s|%s", cluster, o.namespace, o.kind, o.name, alert) // never fails
	return fmt.Sprintf("%016x", h.Sum64())
}

func clusterByName(name string) *clusterDef {
	for i := range clusters {
		if clusters[i].name == name {
			return &clusters[i]
		}
	}
	panic("dataset: unknown cluster " + name) // a programming error in the tables
}

func ptr[T any](v T) *T { return &v }
