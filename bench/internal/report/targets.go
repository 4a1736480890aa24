package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

// Target is one target in docs/performance.json.
type Target struct {
	Target    string                        `json:"target"`
	Values    map[string]map[string]float64 `json:"values"`
	Generator map[string]string             `json:"generator,omitempty"` // value → load generator (wrk, go) of the figures it comes from
	Met       bool                          `json:"met"`
	Note      string                        `json:"note"`
	checks    []valueCheck
}

// valueCheck is one measured value against its bound.
type valueCheck struct {
	Size, Key, Op string
	Value, Bound  float64
	Generator     string
	OK            bool
}

// targetSpec describes a target: its text and, per size, which values it bounds.
type targetSpec struct {
	ID, Text string
	// checks lists (key, input, op, bound) at a size; nil when the target does not
	// apply there (every size applies in -quick).
	checks func(label string) []bound
}

// bound is one value a target bounds: the report key, the measure.SizeResult.Values
// input, the comparison (">=" or "<=") and the limit, and what load produced it (Load).
type bound struct {
	Key, Input, Op string
	Limit          float64
	Load           string
}

// Loads of a bounded value: saturation (the run's generator: wrk, or go with
// -generator go), the Go client (fixed rate, one connection, concurrent bursts), or
// none (a property of the answers: recall, row counts).
const (
	bySaturation = "saturation"
	byGoClient   = "go"
	byAnswers    = ""
)

var sizesFrom100k = func(l string) bool { return l != "10k" && l != "1k" }

var specs = []targetSpec{
	{"P1", "cached list and get-by-id throughput >= 0.85 x B0 (the service in production configuration)", func(string) []bound {
		return []bound{{"list", "p1.list", ">=", 0.85, bySaturation}, {"get", "p1.get", ">=", 0.85, bySaturation}}
	}},
	{"P2", "uncached filtered list with total at 1M: throughput >= 0.9 x B1 and >= 1.0 x B2; p50 <= 1.15 x B1", func(l string) []bound {
		if l != "1M" {
			return nil
		}
		return []bound{{"rps_vs_B1", "p2.rps_vs_b1", ">=", 0.9, bySaturation}, {"rps_vs_B2", "p2.rps_vs_b2", ">=", 1.0, bySaturation},
			{"p50_vs_B1", "p2.p50_vs_b1", "<=", 1.15, byGoClient}}
	}},
	{"P3", "deepest cursor page costs <= 1.2 x the first page (1/throughput, uncached)", func(string) []bound {
		return []bound{{"unfiltered", "p3.unfiltered", "<=", 1.2, bySaturation}, {"namespace", "p3.namespace", "<=", 1.2, bySaturation}}
	}},
	{"P4", "total on large results costs <= 1.5 x the page alone (the service's statement time, one request at a time: all statements / the page's)", func(l string) []bound {
		if !sizesFrom100k(l) {
			return nil
		}
		return []bound{{"unfiltered", "p4.unfiltered", "<=", 1.5, byGoClient}, {"environment=production", "p4.environment=production", "<=", 1.5, byGoClient}}
	}},
	{"P5", "search: recall@10 >= 0.95 vs EX; DB-side p95 <= 5 ms at 100k, <= 15 ms at 1M; >= 20 x faster than EX at 100k; service <= 1.2 x raw SQL", func(l string) []bound {
		b := []bound{{"recall_at_10", "p5.recall", ">=", 0.95, byAnswers}, {"overhead_vs_sql", "p5.overhead", "<=", 1.2, byGoClient}}
		// At 10k the planner rightly prefers an exact scan to the index: no speed bound.
		switch l {
		case "1M":
			b = append(b, bound{"db_p95_ms", "p5.db_p95_ms", "<=", 15, byGoClient})
		case "100k":
			b = append(b, bound{"db_p95_ms", "p5.db_p95_ms", "<=", 5, byGoClient}, bound{"speedup_vs_EX", "p5.vs_ex", ">=", 20, byGoClient})
		}
		return b
	}},
	{"P6", "filtered search (1%-selective filter) returns min(limit, matches) rows always; recall >= 0.95", func(string) []bound {
		return []bound{{"rows_ok", "p6.rows_ok", ">=", 1, byAnswers}, {"recall_at_10", "p6.recall", ">=", 0.95, byAnswers}}
	}},
	{"P7", "aggregations at 1M, 30-day window: uncached p95 <= 50 ms; cached >= 0.8 x B0", func(l string) []bound {
		if l != "1M" {
			return nil
		}
		b := []bound{{"cached_vs_B0", "p7.cached", ">=", 0.8, bySaturation}}
		for _, n := range workload.AggNames {
			b = append(b, bound{n + "_p95_ms", "p7." + n + "_p95_ms", "<=", 50, byGoClient})
		}
		return b
	}},
	{"P8", "64 concurrent identical cold requests: each statement runs once (executions per statement)", func(string) []bound {
		return []bound{{"list", "p8.list", "<=", 1, byGoClient}, {"aggregation", "p8.aggregation", "<=", 1, byGoClient}, {"search", "p8.search", "<=", 1, byGoClient}}
	}},
}

// p9Text is P9's: computed across sizes, cost (1/throughput, uncached) at the largest
// size over the smallest, both measured in the same rounds (measure.Growth).
var p9Text = "cost growth 10k -> 1M (1/throughput, uncached, same rounds): get-by-id and deepest cursor page <= 1.5 x, search <= 5 x"

// Evaluate computes every target from the run: each value against its bound at the
// sizes the target applies to (in -quick, every size, with the bounds of quickProxy's
// size where the target names none).
func Evaluate(quick bool, run *Run) map[string]*Target {
	out := map[string]*Target{}
	for _, sp := range specs {
		tr := &Target{Target: sp.Text, Values: map[string]map[string]float64{}}
		applies := sp.checks
		if quick {
			applies = func(l string) []bound {
				if b := sp.checks(l); b != nil {
					return b
				}
				return sp.checks(quickProxy[sp.ID])
			}
		}
		for _, label := range run.Sizes {
			res := run.BySize[label]
			for _, b := range applies(label) {
				v, ok := res.Values[b.Input]
				if !ok {
					tr.checks = append(tr.checks, valueCheck{Size: label, Key: b.Key, Op: b.Op, Value: math.NaN(), Bound: b.Limit, Generator: run.generatorOf(b)})
					continue
				}
				tr.add(label, b, v, run.generatorOf(b))
			}
		}
		out[sp.ID] = tr
	}
	out["P9"] = evaluateP9(run)
	for id, tr := range out {
		tr.finish(id)
	}
	return out
}

// quickProxy is the size whose bounds a -quick run applies to its 10k figures.
var quickProxy = map[string]string{"P2": "1M", "P4": "100k", "P7": "1M"}

func (tr *Target) add(label string, b bound, v float64, generator string) {
	ok := v >= b.Limit
	if b.Op == "<=" {
		ok = v <= b.Limit
	}
	if tr.Values[label] == nil {
		tr.Values[label] = map[string]float64{}
	}
	tr.Values[label][b.Key] = round(v)
	if generator != "" {
		if tr.Generator == nil {
			tr.Generator = map[string]string{}
		}
		tr.Generator[b.Key] = generator
	}
	tr.checks = append(tr.checks, valueCheck{Size: label, Key: b.Key, Op: b.Op, Value: v, Bound: b.Limit, Generator: generator, OK: ok})
}

// generatorOf names the load generator of a bounded value's figures.
func (r *Run) generatorOf(b bound) string {
	switch b.Load {
	case bySaturation:
		return r.Generator
	case byGoClient:
		return load.Go
	}
	return ""
}

func evaluateP9(run *Run) *Target {
	tr := &Target{Target: p9Text, Values: map[string]map[string]float64{}}
	g := run.Growth
	if g == nil {
		tr.Note = "not measured: needs two sizes (10k and 1M) timed without disagreement; "
		return tr
	}
	for _, b := range []bound{{"get", "get", "<=", 1.5, bySaturation}, {"cursor", "cursor", "<=", 1.5, bySaturation}, {"search", "search", "<=", 5, bySaturation}} {
		v, ok := g.Values[b.Input]
		if !ok || v <= 0 {
			tr.checks = append(tr.checks, valueCheck{Size: g.Label, Key: b.Key, Op: b.Op, Value: math.NaN(), Bound: b.Limit, Generator: run.generatorOf(b)})
			continue
		}
		tr.add(g.Label, b, v, run.generatorOf(b))
	}
	if g.Label != "10k->1M" {
		tr.Note = "growth measured over " + g.Label + ", not 10k->1M; "
	}
	return tr
}

// finish sets met and the note: every value must meet its bound.
func (tr *Target) finish(id string) {
	tr.Met = len(tr.checks) > 0
	var misses []string
	for _, c := range tr.checks {
		switch {
		case math.IsNaN(c.Value):
			tr.Met = false
			misses = append(misses, fmt.Sprintf("%s %s not measured", c.Size, c.Key))
		case !c.OK:
			tr.Met = false
			misses = append(misses, fmt.Sprintf("%s %s %s (bound %s %s)", c.Size, c.Key, fmtValue(c.Value), c.Op, fmtValue(c.Bound)))
		}
	}
	switch {
	case len(tr.checks) == 0:
		tr.Note = strings.TrimSuffix(cmp.Or(tr.Note, "not measured at the sizes it applies to"), "; ")
	case len(misses) > 0:
		tr.Note += "not met: " + strings.Join(misses, "; ")
		if why := limits[id]; why != "" {
			tr.Note += ". " + why
		}
	case tr.Note == "":
		tr.Note = "met at every size measured"
	}
	if how := remarks[id]; how != "" && len(tr.checks) > 0 {
		tr.Note += ". " + how
	}
}

// QuickFailures lists the values outside -quick's wide margins: within 0.1x .. 10x of
// the bound (rows_ok, a correctness property, must hold exactly).
func QuickFailures(rep *Report) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(rep.Targets)) {
		for _, c := range rep.Targets[id].checks {
			ok := c.Value >= c.Bound*0.1
			if c.Op == "<=" {
				ok = c.Value <= c.Bound*10
			}
			if c.Key == "rows_ok" {
				ok = c.Value >= 1
			}
			if math.IsNaN(c.Value) || !ok {
				out = append(out, fmt.Sprintf("%s %s %s = %s (bound %s %s)", id, c.Size, c.Key, fmtValue(c.Value), c.Op, fmtValue(c.Bound)))
			}
		}
	}
	return out
}

func round(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	switch a := math.Abs(v); {
	case a >= 100:
		return math.Round(v*10) / 10
	case a >= 1:
		return math.Round(v*1000) / 1000
	}
	return math.Round(v*10000) / 10000
}

func fmtValue(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprint(round(v))
}

// limits says what limits a target when it is not met, from the analysis of the runs of
// 2026-11-27 at revisions 2fef0df and 021c2d4 (docs/performance.md, "Where the gaps come
// from"): profiles and plans, not this run's figures. Update it with each new analysis.
var limits = map[string]string{
	"P2": "Analysis at 021c2d4: B1 sends the same statements (checked every run) and the ratio moves with " +
		"PostgreSQL's share of two vCPUs: 0.945, 0.787, 0.972 and 1.241 in four runs of nearly the same code " +
		"within 90 minutes (B1's own rounds 504-692 req/s in one). What the service adds is its CPU per request: " +
		"in-process at 1M, ~440 us of Go CPU per filtered list, of which pgx round trips 86 us, GORM composing " +
		"the page 50 us, JSON encoding 38 us and row scans 29 us. Composed statements reused per filter shape " +
		"and a hand-written encoder would narrow it",
	"P5": "Analysis at 021c2d4: hnsw.ef_search follows the table's size (100 up to 500k traces, 200 above) " +
		"over migration 000006's graphs (m=16, ef_construction=128): recall@10 1.0/0.986/0.964 at 10k/100k/1M, " +
		"B1 the same. The database side is at or over its bounds: p95 5.0-5.9 ms at 100k, 21-23 ms at 1M (15.5 ms with " +
		"ef_search 100, which gave recall 0.944). Each search plans a custom plan over six partitions (0.7 ms " +
		"warm; a generic plan ran it in 61 ms) and walks four graphs (Merge Append, 1.2-1.7 ms each at 1M " +
		"with ef_search 100), and EX at 100k (81-82 ms p50) is only 17-20x slower. Closing it needs fewer " +
		"graphs per search (a time filter prunes partitions) or graphs reaching 0.95 at a smaller ef_search " +
		"(m=24 or ef_construction 200 did not, on one 395k-row partition, beyond the +-0.02 noise of 50 " +
		"vectors)",
	"P7": "Uncached means the answer: each request is a 30-day window of its own (since moving by a second), " +
		"as callers ask while time passes, answered from day partials (closed hours and UTC days kept in the " +
		"cache for cache_ttl, the partial hours at each end read fresh; docs/design.md). Reading the whole " +
		"window (info.p7_*_cold_p95_ms, the cache off) costs 60-90 ms for the index-only scan alone at 1M " +
		"(count(*) 61 ms) and 200-800 ms under load; the first request of a filter and grouping, and one per " +
		"TTL after, pays it",
}

// remarks say how a target is met where the value alone would mislead.
var remarks = map[string]string{
	"P4": "Totals over the estimate threshold are the planner's estimate, remembered per filter for a " +
		"minute (the table's statistics when nothing filters): the first request for a filter in each minute " +
		"pays one EXPLAIN (0.3-1 ms at 100k-1M, as much as the page), the others none, so the steady-state " +
		"ratio is 1.0",
	"P6": "Filters the planner expects to match at most 20,000 incidents are searched exactly (recall 1.0 by " +
		"construction); broader ones walk the graphs with iterative scans, an exact scan completing any " +
		"answer that comes back short",
}
