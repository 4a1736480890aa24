package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// targetReport is one target in docs/performance.json.
type targetReport struct {
	Target string                        `json:"target"`
	Values map[string]map[string]float64 `json:"values"`
	Met    bool                          `json:"met"`
	Note   string                        `json:"note"`
	checks []valueCheck
}

// valueCheck is one measured value against its bound.
type valueCheck struct {
	Size, Key, Op string
	Value, Bound  float64
	OK            bool
}

// targetSpec describes a target: its text and, per size, which values it bounds.
type targetSpec struct {
	ID, Text string
	// checks lists (key, input, op, bound) at a size; nil when the target does not
	// apply there (every size applies in -quick).
	checks func(label string) []bound
}

// bound is one value a target bounds: the report key, the sizeResult.Values input,
// the comparison (">=" or "<=") and the limit.
type bound struct {
	Key, Input, Op string
	Limit          float64
}

var sizesFrom100k = func(l string) bool { return l != "10k" && l != "1k" }

var specs = []targetSpec{
	{"P1", "cached list and get-by-id throughput >= 0.8 x B0", func(string) []bound {
		return []bound{{"list", "p1.list", ">=", 0.8}, {"get", "p1.get", ">=", 0.8}}
	}},
	{"P2", "uncached filtered list with total at 1M: throughput >= 0.9 x B1 and >= 1.0 x B2; p50 <= 1.15 x B1", func(l string) []bound {
		if l != "1M" {
			return nil
		}
		return []bound{{"rps_vs_B1", "p2.rps_vs_b1", ">=", 0.9}, {"rps_vs_B2", "p2.rps_vs_b2", ">=", 1.0},
			{"p50_vs_B1", "p2.p50_vs_b1", "<=", 1.15}}
	}},
	{"P3", "deepest cursor page costs <= 1.2 x the first page (1/throughput, uncached)", func(string) []bound {
		return []bound{{"unfiltered", "p3.unfiltered", "<=", 1.2}, {"namespace", "p3.namespace", "<=", 1.2}}
	}},
	{"P4", "total on large results costs <= 1.5 x the page alone (the service's statement time, one request at a time: all statements / the page's)", func(l string) []bound {
		if !sizesFrom100k(l) {
			return nil
		}
		return []bound{{"unfiltered", "p4.unfiltered", "<=", 1.5}, {"environment=production", "p4.environment=production", "<=", 1.5}}
	}},
	{"P5", "search: recall@10 >= 0.95 vs EX; DB-side p95 <= 5 ms at 100k, <= 15 ms at 1M; >= 20 x faster than EX at 100k; service <= 1.2 x raw SQL", func(l string) []bound {
		b := []bound{{"recall_at_10", "p5.recall", ">=", 0.95}, {"overhead_vs_sql", "p5.overhead", "<=", 1.2}}
		// At 10k the planner rightly prefers an exact scan to the index: no speed bound.
		switch l {
		case "1M":
			b = append(b, bound{"db_p95_ms", "p5.db_p95_ms", "<=", 15})
		case "100k":
			b = append(b, bound{"db_p95_ms", "p5.db_p95_ms", "<=", 5}, bound{"speedup_vs_EX", "p5.vs_ex", ">=", 20})
		}
		return b
	}},
	{"P6", "filtered search (1%-selective filter) returns min(limit, matches) rows always; recall >= 0.95", func(string) []bound {
		return []bound{{"rows_ok", "p6.rows_ok", ">=", 1}, {"recall_at_10", "p6.recall", ">=", 0.95}}
	}},
	{"P7", "aggregations at 1M, 30-day window: uncached p95 <= 50 ms; cached >= 0.8 x B0", func(l string) []bound {
		if l != "1M" {
			return nil
		}
		b := []bound{{"cached_vs_B0", "p7.cached", ">=", 0.8}}
		for _, n := range aggNames {
			b = append(b, bound{n + "_p95_ms", "p7." + n + "_p95_ms", "<=", 50})
		}
		return b
	}},
	{"P8", "64 concurrent identical cold requests: each statement runs once (executions per statement)", func(string) []bound {
		return []bound{{"list", "p8.list", "<=", 1}, {"aggregation", "p8.aggregation", "<=", 1}, {"search", "p8.search", "<=", 1}}
	}},
}

// p9Text is P9's: computed across sizes, cost (1/throughput, uncached) at the largest
// size over the smallest, both measured in the same rounds (measureGrowth).
var p9Text = "cost growth 10k -> 1M (1/throughput, uncached, same rounds): get-by-id and deepest cursor page <= 1.5 x, search <= 5 x"

// evaluate computes every target from the run.
func evaluate(quick bool, run *runResult) map[string]*targetReport {
	out := map[string]*targetReport{}
	for _, sp := range specs {
		tr := &targetReport{Target: sp.Text, Values: map[string]map[string]float64{}}
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
					tr.checks = append(tr.checks, valueCheck{Size: label, Key: b.Key, Op: b.Op, Value: math.NaN(), Bound: b.Limit})
					continue
				}
				tr.add(label, b, v)
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

func (tr *targetReport) add(label string, b bound, v float64) {
	ok := v >= b.Limit
	if b.Op == "<=" {
		ok = v <= b.Limit
	}
	if tr.Values[label] == nil {
		tr.Values[label] = map[string]float64{}
	}
	tr.Values[label][b.Key] = round(v)
	tr.checks = append(tr.checks, valueCheck{Size: label, Key: b.Key, Op: b.Op, Value: v, Bound: b.Limit, OK: ok})
}

func evaluateP9(run *runResult) *targetReport {
	tr := &targetReport{Target: p9Text, Values: map[string]map[string]float64{}}
	g := run.Growth
	if g == nil {
		tr.Note = "not measured: needs two sizes (10k and 1M) timed without disagreement; "
		return tr
	}
	for _, b := range []bound{{"get", "get", "<=", 1.5}, {"cursor", "cursor", "<=", 1.5}, {"search", "search", "<=", 5}} {
		v, ok := g.Values[b.Input]
		if !ok || v <= 0 {
			tr.checks = append(tr.checks, valueCheck{Size: g.Label, Key: b.Key, Op: b.Op, Value: math.NaN(), Bound: b.Limit})
			continue
		}
		tr.add(g.Label, b, v)
	}
	if g.Label != "10k->1M" {
		tr.Note = "growth measured over " + g.Label + ", not 10k->1M; "
	}
	return tr
}

// finish sets met and the note: every value must meet its bound.
func (tr *targetReport) finish(id string) {
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
}

// quickFailures lists the values outside -quick's wide margins: within 0.1x .. 10x of
// the bound (rows_ok, a correctness property, must hold exactly).
func quickFailures(rep *report) []string {
	var out []string
	for _, id := range sortedIDs(rep.Targets) {
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

func sortedIDs(m map[string]*targetReport) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
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

// limits says what limits a target when it is not met, from the analysis of the run of
// 2026-11-27 at revision 91bd50b (docs/performance.md, "Where the gaps come from"):
// profiles and plans, not this run's figures. Update it with each new analysis.
var limits = map[string]string{
	"P1": "Analysis at 91bd50b: on a hit the service still does per-request work B0 does not. " +
		"perf of the cached list at 100k: 47% of the service's CPU is in the Echo handler chain against ~22% in " +
		"the socket write both pay: parameter parsing and the domain-cache lookup (query JSON + SHA-256 key 4%, " +
		"deep copy of the cached page 4%, cursor HMAC 1%), the JSON access log (7%), metrics and request id. " +
		"Answering a hit from the encoded-response cache keyed by the raw request, before the app layer runs, " +
		"and a cheaper access log would close most of it",
	"P2": "Analysis at 91bd50b: B1 sends the same statements (checked every run), so the gap is the service's " +
		"own CPU per request, on 2 vCPUs shared with PostgreSQL: perf of the uncached filtered list at 1M shows " +
		"GORM composing each statement, the estimate's EXPLAIN going through database/sql and pgx's stdlib " +
		"adapter (14% of the service's CPU) where the page already uses the pgx pool, and Echo's chain with the " +
		"access log and metrics. Sending the estimate (and count) through the pgx pool too would narrow it",
	"P3": "Analysis at 91bd50b: the first and the deepest page send the same statements (keyset page on " +
		"idx_rat_timeline plus the estimate), and the value over 1.2 falls on a different size and filter in " +
		"each run (rounds_rps spread 10-20%). At 10k planning dominates both (custom plans over 6 partitions: " +
		"~1 ms planning against 0.14 ms executing the first page, psql EXPLAIN ANALYZE EXECUTE) and the deepest " +
		"page plans differently (Append + Sort over a hash join: 0.19 ms)",
	"P4": "Analysis at 91bd50b: the planner's estimate costs a planning pass over the partitioned table " +
		"(0.33 ms at 100k against a 0.64 ms unfiltered page, info.p4_*_ms). Planning is most of the page's cost " +
		"too: at 1M the first page plans in 0.4-0.8 ms and executes in 0.1 ms with a generic plan " +
		"(plan_cache_mode=force_generic_plan: 0.003 ms planning). Reusing an estimate per filter for a short " +
		"time (as the table size already is), or the statistics' row count for the unfiltered list, would close it",
	"P5": "Analysis at 91bd50b: recall@10 at 1M is 0.92 (459 of 500 neighbours) for the service and B1 alike, " +
		"so the HNSW graphs (m=16, ef_construction=64, one per monthly partition) limit it, not the service. " +
		"Over the same 50 vectors, hnsw.ef_search 100/200/400/800 gives recall 0.918/0.936/0.950/0.968 at a " +
		"database-side p50 of 10/14/20/31 ms: ef_search alone buys the recall only past the 15 ms p95 bound, so " +
		"denser graphs (ef_construction 128+ or m 24, rebuilt after loading) are the way to both. Every search " +
		"walks one graph per partition (EXPLAIN: Merge Append of 4 index scans): at 100k the database side costs " +
		"~3 ms p50 and the exact scan (66-97 ms) is only 18-21x slower. The p95 bounds, the 20x and the overhead " +
		"ratio sit on the edge, within this machine's noise (1M raw-SQL p95 from 9.3 to 27 ms across runs, " +
		"the service's own 10-15 ms)",
	"P6": "Analysis at 91bd50b: every answer holds min(limit, matches) rows; recall at 1M (0.948) is P5's: " +
		"answers the index fills on its own (no exact fallback) carry the 1M graphs' misses",
	"P7": "Analysis at 91bd50b: a 30-day window at 1M holds 443k of the 1M traces (the synthetic load grows " +
		"towards now): even the index-only scan of idx_rat_timeline costs 50-70 ms (count(*) alone 65 ms on one " +
		"core), and namespaces adds a hash join of those rows to the 50k-row object tables (~200-400 ms; " +
		"aggregating by action_history_id before the join saves ~20%). 50 ms needs per-day pre-aggregates kept by " +
		"the writer (the service never writes) or cached answers refreshed ahead of expiry. Cached aggregations " +
		"reach 0.45x B0 because each hit clones and re-folds the cached groups before the encoded answer is " +
		"reused (perf: cloneGroups 9%, app folding 14%, GC 10%)",
}
