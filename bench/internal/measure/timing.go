package measure

import (
	"context"
	"fmt"
	"time"

	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

// saturate and warm are the closed-loop phases of a measurement, with the run's
// generator (wrk unless -generator go).
func (e *Env) saturate(ctx context.Context) (warm func(target) error, run func(target) (load.Result, error)) {
	cfg := e.Cfg
	run = func(t target) (load.Result, error) {
		return e.Saturator.Saturate(ctx, t.Base, t.Reqs, cfg.Conns, cfg.Duration)
	}
	warm = func(t target) error {
		if cfg.Warmup <= 0 {
			return nil
		}
		_, err := e.Saturator.Saturate(ctx, t.Base, t.Reqs, cfg.Conns, cfg.Warmup)
		return err
	}
	return warm, run
}

// Measure times the contenders, workload by workload, each in interleaved rounds, and
// stores the inputs of the targets in the size's Values. Saturation runs on the
// Saturator; fixed rate and one connection on the Go client.
func (e *Env) Measure(ctx context.Context) error {
	cfg, v := e.Cfg, e.Res.Values
	warm, sat := e.saturate(ctx)
	fixed := func(rate float64) func(target) (load.Result, error) {
		return func(t target) (load.Result, error) {
			return load.OpenLoop(ctx, t.Base, t.Reqs, rate, openFor(cfg.Quick, cfg.Rounds, cfg.OpenDuration, rate)), nil
		}
	}
	tg := func(name string, reqs []load.Request) target {
		return target{Name: name, Base: e.baseOf(name), Reqs: reqs}
	}
	svc, svcU, b0, b1, b2 := contenders.Service, contenders.ServiceUncached, contenders.B0, contenders.B1, contenders.B2
	wl := e.Workloads

	// P1 and P7 (cached): the full stack against B0 serving the same bytes.
	for _, w := range []struct {
		key, name string
		reqs      []load.Request
	}{
		{"p1.list", "cached list page", wl.ListCached},
		{"p1.get", "cached get-by-id", wl.GetCached},
		{"p7.cached", "cached aggregations", wl.AggCached},
	} {
		e.step(w.name)
		s, err := rounds(ctx, cfg.Rounds, []target{tg(svc, w.reqs), tg(b0, w.reqs)}, warm, sat)
		if err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
		v[w.key] = ratio(s[svc], s[b0])
		e.record(w.name, Saturation, 0, s)
	}

	// P2: uncached filtered list with total against B1 and B2, saturated, then at a
	// fixed rate the slowest of them sustains.
	e.step("uncached filtered list")
	lists := []target{tg(svcU, wl.ListFiltered), tg(b1, wl.ListFiltered), tg(b2, wl.ListFiltered)}
	s, err := rounds(ctx, cfg.Rounds, lists, warm, sat)
	if err != nil {
		return fmt.Errorf("uncached filtered list: %w", err)
	}
	v["p2.rps_vs_b1"] = ratio(s[svcU], s[b1])
	v["p2.rps_vs_b2"] = ratio(s[svcU], s[b2])
	e.record("uncached filtered list", Saturation, 0, s)
	// B2 counts every match exactly and sustains far less at 1M: the fixed rate is set
	// by the two P2 compares by latency, and B2 sits it out.
	lists = lists[:2]
	rate := cfg.OpenFraction * minRPS(map[string]Series{svcU: s[svcU], b1: s[b1]})
	o, err := rounds(ctx, cfg.Rounds, lists, nil, fixed(rate))
	if err != nil {
		return err
	}
	if b1p50, svcp50 := percentile(o[b1].latencies(), 50), percentile(o[svcU].latencies(), 50); b1p50 > 0 && svcp50 > 0 {
		v["p2.p50_vs_b1"] = svcp50 / b1p50
	}
	e.record("uncached filtered list", FixedRate, rate, o)

	// P3: the deepest page against the first, uncached.
	e.step("cursor pages")
	var pages []target
	for _, c := range wl.Cursors {
		pages = append(pages,
			target{Name: "first page, " + c.Name, Base: e.ServiceUncached, Reqs: []load.Request{c.First}},
			target{Name: "deepest page, " + c.Name, Base: e.ServiceUncached, Reqs: []load.Request{c.Deep}})
	}
	if s, err = rounds(ctx, cfg.Rounds, pages, warm, sat); err != nil {
		return fmt.Errorf("cursor pages: %w", err)
	}
	for _, c := range wl.Cursors {
		first, deep := s["first page, "+c.Name], s["deepest page, "+c.Name]
		v["p3."+c.Name] = ratio(first, deep) // cost ratio: deep cost / first cost
	}
	e.record("cursor pages (uncached)", Saturation, 0, s)

	// P4: what the total adds to the page, from the service's own statement timings,
	// one request at a time: under saturation those timings would include the wait
	// for a pooled connection, the same for every statement.
	e.step("totals on large results")
	var large []target
	for i, r := range wl.Large {
		large = append(large, target{Name: workload.LargeNames[i], Base: e.ServiceUncached, Reqs: []load.Request{r}, Metrics: e.ServiceUncached + "/metrics"})
	}
	oneByOne := func(t target) (load.Result, error) {
		return load.Sequential(ctx, 2000, cfg.Duration, func(int) error {
			_, _, err := load.Send(ctx, t.Base, t.Reqs[0], false)
			return err
		}), nil
	}
	if s, err = rounds(ctx, cfg.Rounds, large, warm, oneByOne); err != nil {
		return err
	}
	for _, t := range large {
		if r, ok := totalShare(s[t.Name]); ok {
			v["p4."+t.Name] = r
		} else {
			e.note("P4 %s: no \"list\" statement timings on /metrics", t.Name)
		}
		// The evidence: mean time per statement, by op.
		sum := map[string]opStats{}
		for _, p := range s[t.Name] {
			for op, d := range p.DB {
				sum[op] = opStats{Queries: sum[op].Queries + d.Queries, Seconds: sum[op].Seconds + d.Seconds}
			}
		}
		for op, d := range sum {
			if d.Queries > 0 && op != "ping" {
				v["info.p4_"+t.Name+"_"+op+"_ms"] = 1000 * d.Seconds / d.Queries
			}
		}
	}
	e.record("large list (uncached)", OneConnection, 0, s)

	// P5: saturated against B1, then one connection against raw SQL and EX.
	e.step("semantic search")
	if s, err = rounds(ctx, cfg.Rounds, []target{tg(svcU, wl.Search), tg(b1, wl.Search)}, warm, sat); err != nil {
		return fmt.Errorf("semantic search: %w", err)
	}
	e.record("uncached semantic search", Saturation, 0, s)
	if err := e.searchLatency(ctx); err != nil {
		return err
	}

	// P7 (uncached): each aggregation at a fixed rate, a share of the slowest one's
	// saturated throughput (one round).
	e.step("uncached aggregations")
	var aggs []target
	for i, r := range wl.AggUncached {
		aggs = append(aggs, target{Name: workload.AggNames[i], Base: e.ServiceUncached, Reqs: []load.Request{r}})
	}
	if s, err = rounds(ctx, 1, aggs, warm, sat); err != nil {
		return fmt.Errorf("uncached aggregations: %w", err)
	}
	rate = cfg.OpenFraction * minRPS(s)
	if o, err = rounds(ctx, cfg.Rounds, aggs, nil, fixed(rate)); err != nil {
		return err
	}
	for _, t := range aggs {
		if lat := o[t.Name].latencies(); len(lat) > 0 {
			v["info.p7_"+t.Name+"_cold_p95_ms"] = percentile(lat, 95)
		}
	}
	e.record("uncached aggregations, 30 days, cold (cache off)", FixedRate, rate, o)

	// P7 as callers ask: "the last 30 days" at the same rate, every request a window of
	// its own (a second later than the one before), so no answer is replayed and no
	// value is cached, while the closed days' partial aggregates are (day partials,
	// docs/design.md). The cached service, warmed by one request of each.
	e.step("aggregations over moving 30-day windows")
	var moving []target
	for i, reqs := range wl.AggMoving {
		moving = append(moving, target{Name: workload.AggNames[i], Base: e.Service, Reqs: reqs})
	}
	warmDays, fresh := freshRequests(ctx, func(t target, reqs []load.Request) load.Result {
		return load.OpenLoop(ctx, t.Base, reqs, rate, openFor(cfg.Quick, cfg.Rounds, cfg.OpenDuration, rate))
	})
	if o, err = rounds(ctx, cfg.Rounds, moving, warmDays, fresh); err != nil {
		return fmt.Errorf("aggregations over moving windows: %w", err)
	}
	for _, t := range moving {
		if lat := o[t.Name].latencies(); len(lat) > 0 {
			v["p7."+t.Name+"_p95_ms"] = percentile(lat, 95)
		}
	}
	e.record("aggregations, moving 30-day windows (day partials)", FixedRate, rate, o)

	e.step("stampede")
	return e.stampede(ctx)
}

// freshRequests returns a warm-up and a phase that never repeat a request of a target:
// the warm-up sends the next one, the phase hands the rest of the list to run, which
// sends them in order, and the next phase starts after the last one sent.
func freshRequests(ctx context.Context, run func(t target, reqs []load.Request) load.Result) (func(target) error, func(target) (load.Result, error)) {
	next := map[string]int{}
	warm := func(t target) error {
		i := next[t.Name]
		next[t.Name] = i + 1
		_, _, err := load.Send(ctx, t.Base, t.Reqs[i%len(t.Reqs)], false)
		return err
	}
	phase := func(t target) (load.Result, error) {
		i := next[t.Name]
		r := run(t, t.Reqs[i:])
		next[t.Name] = i + r.N + r.Errors
		if next[t.Name] >= len(t.Reqs) {
			return r, fmt.Errorf("%s: its %d distinct requests ran out", t.Name, len(t.Reqs))
		}
		return r, nil
	}
	return warm, phase
}

// totalShare is the median over rounds of (time of all statements) / (time of the page
// statement): what the total costs on top of the page alone, as the service measures it.
func totalShare(s Series) (float64, bool) {
	var xs []float64
	for _, p := range s {
		page := p.DB["list"].Seconds
		if page <= 0 {
			continue
		}
		var all float64
		for op, d := range p.DB {
			if op != "ping" {
				all += d.Seconds
			}
		}
		xs = append(xs, all/page)
	}
	return median(xs), len(xs) > 0
}

// openFor is a fixed-rate phase's length: -open-duration, longer at low rates so the
// rounds together give each contender at least 60 samples (10 in -quick), at most 20 s.
func openFor(quick bool, rounds int, open time.Duration, rate float64) time.Duration {
	want := 60.0
	if quick {
		want = 10
	}
	d := time.Duration(want / float64(rounds) / rate * float64(time.Second))
	return min(max(open, d), max(open, 20*time.Second))
}

func minRPS(s map[string]Series) float64 {
	low := 0.0
	for _, sr := range s {
		if r := sr.medianRPS(); low == 0 || r < low {
			low = r
		}
	}
	return max(low, 1)
}

// record keeps each contender's figures of one workload.
func (e *Env) record(workload, mode string, rate float64, s map[string]Series) {
	ms, notes := summarise(workload, mode, rate, s)
	e.Res.Measurements = append(e.Res.Measurements, ms...)
	e.Res.Notes = append(e.Res.Notes, notes...)
}

// summarise turns each contender's rounds into its figures, with a note where more
// than 1% of requests failed.
func summarise(workload, mode string, rate float64, s map[string]Series) (out []Measurement, notes []string) {
	for name, sr := range s {
		lat := sr.latencies()
		errs, n := sr.errors()
		m := Measurement{Workload: workload, Contender: name, Mode: mode, Generator: sr.generator(), Rate: rate,
			P50: percentile(lat, 50), P95: percentile(lat, 95), P99: percentile(lat, 99), Requests: n, Errors: errs}
		if mode == Saturation {
			m.RPS = sr.medianRPS()
			for _, p := range sr {
				m.Rounds = append(m.Rounds, p.RPS())
			}
		}
		if n > 0 && float64(errs) > 0.01*float64(n) {
			notes = append(notes, fmt.Sprintf("%s, %s: %d of %d requests failed", workload, name, errs, n))
		}
		out = append(out, m)
	}
	return out, notes
}
