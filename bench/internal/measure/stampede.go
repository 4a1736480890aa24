package measure

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

// stampedeSize is P8's number of concurrent identical cold requests.
const stampedeSize = 64

// stampede sends 64 identical requests at once for a key the cache has never seen, and
// counts the statements each caused on the cached service's /metrics: one request
// alone first (another fresh key) tells which statements a request runs; the 64 must
// run each of them exactly once (P8). A fresh key is a unique until (or vector), so
// the statements do real work.
func (e *Env) stampede(ctx context.Context) error {
	fresh := 0
	until := func() string {
		fresh++
		return time.Now().Add(-time.Hour - time.Duration(fresh)*time.Microsecond).UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 8)) // #nosec G404 -- picks benchmark requests; nothing to guess
	cases := []struct {
		key  string
		make func() load.Request
	}{
		{"list", func() load.Request {
			return load.Get(workload.ListURI("namespace", e.Data.Namespaces[0], "until", until()))
		}},
		{"aggregation", func() load.Request {
			return load.Get("/api/v1/aggregations/success-rate?until=" + url.QueryEscape(until()))
		}},
		{"search", func() load.Request {
			return workload.SearchRequest(workload.Perturb(rng, e.Data.Vectors[0], 0.05), 10, nil)
		}},
	}
	metrics := e.Service + "/metrics"
	if err := warmConns(ctx, e.Service, stampedeSize); err != nil {
		return err
	}
	for _, c := range cases {
		one, err := statementsOf(ctx, metrics, func() error {
			_, _, err := load.Send(ctx, e.Service, c.make(), false)
			return err
		})
		if err != nil {
			return fmt.Errorf("stampede %s: %w", c.key, err)
		}
		r := c.make()
		bodies := make([][]byte, stampedeSize)
		errs := make([]error, stampedeSize)
		many, err := statementsOf(ctx, metrics, func() error {
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range stampedeSize {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					bodies[i], _, errs[i] = load.Send(ctx, e.Service, r, true)
				}()
			}
			close(start)
			wg.Wait()
			return nil
		})
		if err != nil {
			return fmt.Errorf("stampede %s: %w", c.key, err)
		}
		worst := 0.0
		for op, d := range many {
			if base := one[op].Queries; base > 0 {
				worst = max(worst, d.Queries/base)
			} else {
				worst = max(worst, d.Queries) // a statement the lone request did not run
			}
		}
		failed := 0
		for i := range bodies {
			if errs[i] != nil || !bytes.Equal(bodies[i], bodies[0]) {
				failed++
			}
		}
		if failed > 0 {
			e.note("P8 %s: %d of %d concurrent answers failed or differed from the first", c.key, failed, stampedeSize)
		}
		e.Res.Values["p8."+c.key] = worst
		e.note("P8 %s: one request ran %s; %d concurrent ran %s", c.key, opList(one), stampedeSize, opList(many))
	}
	return nil
}

// statementsOf runs fn and returns the statements it caused, by op.
func statementsOf(ctx context.Context, metrics string, fn func() error) (map[string]opStats, error) {
	before, err := scrapeDB(ctx, metrics)
	if err != nil {
		return nil, err
	}
	if err := fn(); err != nil {
		return nil, err
	}
	after, err := scrapeDB(ctx, metrics)
	if err != nil {
		return nil, err
	}
	d := deltas(before, after)
	delete(d, "ping")
	return d, nil
}

// warmConns opens n keep-alive connections to base, so a burst starts at once.
func warmConns(ctx context.Context, base string, n int) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = load.Send(ctx, base, load.Get("/health"), false)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func opList(m map[string]opStats) string {
	s := ""
	for _, op := range slices.Sorted(maps.Keys(m)) {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s×%g", op, m[op].Queries)
	}
	if s == "" {
		return "no statement"
	}
	return s
}
