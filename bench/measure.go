package main

import (
	"context"
	"fmt"
	"time"
)

// measure times the contenders, workload by workload, each in interleaved rounds, and
// stores the inputs of the targets in e.res.Values.
func (e *env) measure(ctx context.Context) error {
	cfg, v := e.cfg, e.res.Values
	sat := func(t target) phase { return closedLoop(ctx, t, cfg.Conns, cfg.Duration) }
	warm := func(t target) {
		if cfg.Warmup > 0 {
			closedLoop(ctx, t, cfg.Conns, cfg.Warmup)
		}
	}
	tg := func(name string, reqs []request) target {
		return target{Name: name, Base: e.baseOf(name), Reqs: reqs}
	}
	// P1 and P7 (cached): the full stack against B0 serving the same bytes.
	for _, w := range []struct {
		key, name string
		reqs      []request
	}{
		{"p1.list", "cached list page", e.wl.ListCached},
		{"p1.get", "cached get-by-id", e.wl.GetCached},
		{"p7.cached", "cached aggregations", e.wl.AggCached},
	} {
		e.step(w.name)
		s := rounds(ctx, cfg, []target{tg(svcCached, w.reqs), tg(nameB0, w.reqs)}, warm, sat)
		v[w.key] = ratio(s[svcCached], s[nameB0])
		e.record(w.name, "saturation", 0, s)
	}

	// P2: uncached filtered list with total against B1 and B2, saturated, then at a
	// fixed rate the slowest of them sustains.
	e.step("uncached filtered list")
	lists := []target{tg(svcUncached, e.wl.ListFiltered), tg(nameB1, e.wl.ListFiltered), tg(nameB2, e.wl.ListFiltered)}
	s := rounds(ctx, cfg, lists, warm, sat)
	v["p2.rps_vs_b1"] = ratio(s[svcUncached], s[nameB1])
	v["p2.rps_vs_b2"] = ratio(s[svcUncached], s[nameB2])
	e.record("uncached filtered list", "saturation", 0, s)
	// B2 counts every match exactly and sustains far less at 1M: the fixed rate is set
	// by the two P2 compares by latency, and B2 sits it out.
	lists = lists[:2]
	rate := cfg.OpenFraction * minRPS(map[string]series{svcUncached: s[svcUncached], nameB1: s[nameB1]})
	o := rounds(ctx, cfg, lists, nil, func(t target) phase { return openLoop(ctx, t, rate, openFor(cfg, rate)) })
	if b1, svc := percentile(o[nameB1].latencies(), 50), percentile(o[svcUncached].latencies(), 50); b1 > 0 && svc > 0 {
		v["p2.p50_vs_b1"] = svc / b1
	}
	e.record("uncached filtered list", "fixed rate", rate, o)

	// P3: the deepest page against the first, uncached.
	e.step("cursor pages")
	var pages []target
	for _, c := range e.wl.Cursors {
		pages = append(pages,
			target{Name: "first page, " + c.Name, Base: e.svcU, Reqs: []request{c.First}},
			target{Name: "deepest page, " + c.Name, Base: e.svcU, Reqs: []request{c.Deep}})
	}
	s = rounds(ctx, cfg, pages, warm, sat)
	for _, c := range e.wl.Cursors {
		first, deep := s["first page, "+c.Name], s["deepest page, "+c.Name]
		v["p3."+c.Name] = ratio(first, deep) // cost ratio: deep cost / first cost
	}
	e.record("cursor pages (uncached)", "saturation", 0, s)

	// P4: what the total adds to the page, from the service's own statement timings,
	// one request at a time: under saturation those timings would include the wait
	// for a pooled connection, the same for every statement.
	e.step("totals on large results")
	var large []target
	for i, r := range e.wl.Large {
		large = append(large, target{Name: largeNames[i], Base: e.svcU, Reqs: []request{r}, Metrics: e.svcU + "/metrics"})
	}
	s = rounds(ctx, cfg, large, warm, func(t target) phase {
		return sequential(ctx, 2000, cfg.Duration, func(int) error {
			_, _, err := send(ctx, t.Base, t.Reqs[0], false)
			return err
		})
	})
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
	e.record("large list (uncached)", "one connection", 0, s)

	// P5: saturated against B1, then one connection against raw SQL and EX.
	e.step("semantic search")
	s = rounds(ctx, cfg, []target{tg(svcUncached, e.wl.Search), tg(nameB1, e.wl.Search)}, warm, sat)
	e.record("uncached semantic search", "saturation", 0, s)
	if err := e.searchLatency(ctx); err != nil {
		return err
	}

	// P7 (uncached): each aggregation at a fixed rate.
	e.step("uncached aggregations")
	var aggs []target
	for i, r := range e.wl.AggUncached {
		aggs = append(aggs, target{Name: aggNames[i], Base: e.svcU, Reqs: []request{r}})
	}
	one := cfg
	one.Rounds = 1
	s = rounds(ctx, one, aggs, warm, sat)
	rate = cfg.OpenFraction * minRPS(s)
	o = rounds(ctx, cfg, aggs, nil, func(t target) phase { return openLoop(ctx, t, rate, openFor(cfg, rate)) })
	for _, t := range aggs {
		if lat := o[t.Name].latencies(); len(lat) > 0 {
			v["p7."+t.Name+"_p95_ms"] = percentile(lat, 95)
		}
	}
	e.record("uncached aggregations, 30 days", "fixed rate", rate, o)

	e.step("stampede")
	return e.stampede(ctx)
}

var (
	largeNames = []string{"unfiltered", "environment=production"}
	aggNames   = []string{"success-rate", "namespaces", "severity", "trend"}
)

// searchLatency times searches one at a time: the service (uncached), B1 and the raw
// statement through pgx (the database's side), interleaved request by request (the
// three answer the same vector one after another, in an order that rotates), so a burst
// of noise on the shared machine hits all three; then EX, whose scans take up to a
// second, for a bounded time per round. A warm-up pass over the vectors comes first.
func (e *env) searchLatency(ctx context.Context) error {
	cfg, v := e.cfg, e.res.Values
	exBudget := 10 * time.Second
	if cfg.Quick {
		exBudget = 3 * time.Second
	}
	reqs := e.wl.Search
	one := map[string]func(i int) error{
		svcUncached: func(i int) error {
			_, _, err := send(ctx, e.svcU, reqs[i%len(reqs)], false)
			return err
		},
		nameB1: func(i int) error {
			_, _, err := send(ctx, e.base[nameB1], reqs[i%len(reqs)], false)
			return err
		},
		nameSQL: func(i int) error {
			q, err := parseSearch(reqs[i%len(reqs)].Body)
			if err != nil {
				return err
			}
			sql, args := searchSQL(q.vec, q.f, q.threshold, q.limit, false)
			_, err = queryIncidents(ctx, e.pool, sql, args, true)
			return err
		},
	}
	names := []string{svcUncached, nameB1, nameSQL}
	for i := range reqs {
		for _, name := range names {
			_ = one[name](i)
		}
	}
	s := map[string]series{}
	for r := 0; r < cfg.Rounds && ctx.Err() == nil; r++ {
		ph := map[string]*phase{}
		for _, name := range names {
			ph[name] = &phase{}
		}
		start := time.Now()
		for i := 0; i < cfg.LatencyCount && ctx.Err() == nil; i++ {
			for k := range names {
				name := names[(i+k)%len(names)]
				t0 := time.Now()
				if err := one[name](r*cfg.LatencyCount + i); err != nil {
					ph[name].Errors++
					continue
				}
				ph[name].N++
				ph[name].Lat = append(ph[name].Lat, time.Since(t0))
			}
		}
		for _, name := range names {
			ph[name].Elapsed = time.Since(start)
			s[name] = append(s[name], *ph[name])
		}
		s[nameEX] = append(s[nameEX], sequential(ctx, cfg.LatencyCount, exBudget, func(i int) error {
			_, _, err := send(ctx, e.base[nameEX], reqs[(r*cfg.LatencyCount+i)%len(reqs)], false)
			return err
		}))
	}
	p50 := func(name string) float64 { return percentile(s[name].latencies(), 50) }
	if lat := s[nameSQL].latencies(); len(lat) > 0 {
		v["p5.db_p95_ms"] = percentile(lat, 95)
	}
	if svc, ex, sql := p50(svcUncached), p50(nameEX), p50(nameSQL); svc > 0 && ex > 0 && sql > 0 {
		v["p5.vs_ex"] = ex / svc
		v["p5.overhead"] = svc / sql
	}
	e.record("semantic search, one at a time", "one connection", 0, s)
	return nil
}

// totalShare is the median over rounds of (time of all statements) / (time of the page
// statement): what the total costs on top of the page alone, as the service measures it.
func totalShare(s series) (float64, bool) {
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
func openFor(cfg config, rate float64) time.Duration {
	want := 60.0
	if cfg.Quick {
		want = 10
	}
	d := time.Duration(want / float64(cfg.Rounds) / rate * float64(time.Second))
	return min(max(cfg.OpenDuration, d), max(cfg.OpenDuration, 20*time.Second))
}

func minRPS(s map[string]series) float64 {
	low := 0.0
	for _, sr := range s {
		if r := sr.medianRPS(); low == 0 || r < low {
			low = r
		}
	}
	return max(low, 1)
}

func (e *env) step(name string) { logf("%s: measuring %s", e.sz.Label, name) }

// record keeps each contender's figures of one workload.
func (e *env) record(workload, mode string, rate float64, s map[string]series) {
	ms, notes := summarise(workload, mode, rate, s)
	e.res.Measurements = append(e.res.Measurements, ms...)
	e.res.Notes = append(e.res.Notes, notes...)
}

// summarise turns each contender's rounds into its figures, with a note where more
// than 1% of requests failed.
func summarise(workload, mode string, rate float64, s map[string]series) (out []measurement, notes []string) {
	for name, sr := range s {
		lat := sr.latencies()
		errs, n := sr.errors()
		m := measurement{Workload: workload, Contender: name, Mode: mode, Rate: rate,
			P50: percentile(lat, 50), P95: percentile(lat, 95), P99: percentile(lat, 99), Requests: n, Errors: errs}
		if mode == "saturation" {
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
