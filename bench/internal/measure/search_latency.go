package measure

import (
	"context"
	"time"

	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
)

// searchLatency times searches one at a time: the service (uncached), B1 and the raw
// statement through pgx (the database's side), interleaved request by request (the
// three answer the same vector one after another, in an order that rotates), so a burst
// of noise on the shared machine hits all three; then EX, whose scans take up to a
// second, for a bounded time per round. A warm-up pass over the vectors comes first.
func (e *Env) searchLatency(ctx context.Context) error {
	cfg, v := e.Cfg, e.Res.Values
	exBudget := 10 * time.Second
	if cfg.Quick {
		exBudget = 3 * time.Second
	}
	reqs := e.Workloads.Search
	svcU, b1, sqlName, ex := contenders.ServiceUncached, contenders.B1, contenders.SQL, contenders.EX
	one := map[string]func(i int) error{
		svcU: func(i int) error {
			_, _, err := load.Send(ctx, e.ServiceUncached, reqs[i%len(reqs)], false)
			return err
		},
		b1: func(i int) error {
			_, _, err := load.Send(ctx, e.Baselines[b1], reqs[i%len(reqs)], false)
			return err
		},
		sqlName: func(i int) error {
			q, err := contenders.ParseSearch(reqs[i%len(reqs)].Body)
			if err != nil {
				return err
			}
			sql, args := e.SQL.Search(q.Vec, q.Filter, q.Threshold, q.Limit, false)
			_, err = contenders.QueryIncidents(ctx, e.Pool, sql, args, true)
			return err
		},
	}
	names := []string{svcU, b1, sqlName}
	for i := range reqs {
		for _, name := range names {
			_ = one[name](i)
		}
	}
	s := map[string]Series{}
	for r := 0; r < cfg.Rounds && ctx.Err() == nil; r++ {
		ph := map[string]*Phase{}
		for _, name := range names {
			ph[name] = &Phase{Result: load.Result{Generator: load.Go}}
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
		s[ex] = append(s[ex], Phase{Result: load.Sequential(ctx, cfg.LatencyCount, exBudget, func(i int) error {
			_, _, err := load.Send(ctx, e.Baselines[ex], reqs[(r*cfg.LatencyCount+i)%len(reqs)], false)
			return err
		})})
	}
	p50 := func(name string) float64 { return percentile(s[name].latencies(), 50) }
	if lat := s[sqlName].latencies(); len(lat) > 0 {
		v["p5.db_p95_ms"] = percentile(lat, 95)
	}
	if svc, exp50, sqlp50 := p50(svcU), p50(ex), p50(sqlName); svc > 0 && exp50 > 0 && sqlp50 > 0 {
		v["p5.vs_ex"] = exp50 / svc
		v["p5.overhead"] = svc / sqlp50
	}
	e.record("semantic search, one at a time", OneConnection, 0, s)
	return nil
}
