package measure

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

// replicaCount is the multi-replica section's service processes, sharing one Redis.
const replicaCount = 3

// Replicas is the multi-replica section: three service processes on the size's
// database sharing one Redis (cache_redis_url). It measures what one list page costs
// when a process answers it from its own cache (L1), from Redis after another process
// loaded it (L2), and uncached (the database, then both tiers), each key sent once,
// eight at a time; and the statements a cold stampede of 3 × 64 identical requests
// sends for the whole fleet.
func (e *Env) Replicas(ctx context.Context, bin contenders.Binary, work string) error {
	if e.Cfg.RedisURL == "" {
		e.note("multi-replica section skipped: no Redis (-redis-url, or CONTEXTAPI_TEST_REDIS_URL)")
		return nil
	}
	e.step("multi-replica: three processes sharing Redis")
	// Keys of the run's own, which Redis drops by itself two minutes on (the processes'
	// TTL, no stale window): a Redis shared with others is never flushed.
	prefix := "bench:" + randomHex() + ":"
	var bases []string
	for i := range replicaCount {
		p, base, err := bin.ServeWith(ctx, work, fmt.Sprintf("replica-%d-%s", i, e.Size.Label), e.Res.DBURL,
			"--cache-redis-url", e.Cfg.RedisURL, "--cache-redis-prefix", prefix, "--cache-redis-lease-wait", "10s",
			"--cache-ttl", "2m", "--cache-stale-window", "0s")
		if err != nil {
			return err
		}
		defer p.Stop()
		if err := waitGauge(ctx, base, "contextapi_cache_l2_up", 1, 10*time.Second); err != nil {
			return fmt.Errorf("replica %d: %w", i, err)
		}
		bases = append(bases, base)
	}
	if err := e.replicaStampede(ctx, bases); err != nil {
		return err
	}
	return e.replicaTiers(ctx, bases)
}

// freshLists are n list requests no cache has seen: each with an until of its own.
func freshLists(e *Env, n int) []load.Request {
	reqs := make([]load.Request, n)
	base := time.Now().Add(-time.Hour).UTC()
	tag := time.Now().UnixNano() % 1_000_000 // another run's keys are other keys
	for i := range reqs {
		until := base.Add(-time.Duration(tag*1000+int64(i)) * time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
		reqs[i] = load.Get(workload.ListURI("namespace", e.Data.Namespaces[0], "limit", "20", "until", until))
	}
	return reqs
}

// replicaStampede sends 64 identical cold requests to each process at once and counts
// the statements of the whole fleet, against a lone cold request's.
func (e *Env) replicaStampede(ctx context.Context, bases []string) error {
	reqs := freshLists(e, 2)
	fleetStatements := func(fn func()) (map[string]opStats, error) {
		before := make([]map[string]opStats, len(bases))
		for i, b := range bases {
			var err error
			if before[i], err = scrapeDB(ctx, b+"/metrics"); err != nil {
				return nil, err
			}
		}
		fn()
		total := map[string]opStats{}
		for i, b := range bases {
			after, err := scrapeDB(ctx, b+"/metrics")
			if err != nil {
				return nil, err
			}
			for op, d := range deltas(before[i], after) {
				s := total[op]
				s.Queries += d.Queries
				total[op] = s
			}
		}
		delete(total, "ping")
		return total, nil
	}
	for _, b := range bases {
		if err := warmConns(ctx, b, stampedeSize); err != nil {
			return err
		}
	}
	var lerr error
	one, err := fleetStatements(func() { _, _, lerr = load.Send(ctx, bases[0], reqs[0], false) })
	if err = errors.Join(err, lerr); err != nil {
		return fmt.Errorf("multi-replica stampede: %w", err)
	}
	failed := 0
	var mu sync.Mutex
	many, err := fleetStatements(func() {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, b := range bases {
			for range stampedeSize {
				wg.Go(func() {
					<-start
					if _, _, err := load.Send(ctx, b, reqs[1], false); err != nil {
						mu.Lock()
						failed++
						mu.Unlock()
					}
				})
			}
		}
		close(start)
		wg.Wait()
	})
	if err != nil {
		return fmt.Errorf("multi-replica stampede: %w", err)
	}
	worst := 0.0
	for op, d := range many {
		if base := one[op].Queries; base > 0 {
			worst = max(worst, d.Queries/base)
		} else {
			worst = max(worst, d.Queries)
		}
	}
	if failed > 0 {
		e.note("multi-replica stampede: %d of %d requests failed", failed, len(bases)*stampedeSize)
	}
	e.Res.Values["info.replicas.stampede_statements_per_kind"] = worst
	e.note("multi-replica stampede: one cold request ran %s; %d × %d concurrent identical cold requests ran %s for the fleet",
		opList(one), len(bases), stampedeSize, opList(many))
	return nil
}

// replicaTiers times one list page per key, each key once: uncached on the third
// process (the database, then both tiers), from Redis on the second (L2: the third loaded
// them), then from the second's own cache (L1; five passes, as one is short); on one
// connection for latency, then on eight for throughput.
func (e *Env) replicaTiers(ctx context.Context, bases []string) error {
	// Latency alone first (one connection, 100 keys), then throughput (eight).
	if err := e.replicaTierPhases(ctx, bases, 1, 100); err != nil {
		return err
	}
	n := 2000
	if e.Cfg.Quick {
		n = 300
	}
	return e.replicaTierPhases(ctx, bases, 8, n)
}

// replicaTierPhases times n fresh keys with conns connections: uncached, L2, L1.
func (e *Env) replicaTierPhases(ctx context.Context, bases []string, conns, n int) error {
	before, err := scrapeSeries(ctx, bases[1]+"/metrics", `contextapi_cache_l2_requests_total{result="hit"}`)
	if err != nil {
		return err
	}
	reqs := freshLists(e, n)
	var l1 []load.Request
	for range 5 {
		l1 = append(l1, reqs...)
	}
	phases := []struct {
		name, base string
		reqs       []load.Request
	}{
		{"uncached (database)", bases[2], reqs},
		{"Redis hit (L2)", bases[1], reqs},
		{"in-process hit (L1)", bases[1], l1},
	}
	s := map[string]Series{}
	for _, ph := range phases {
		res := load.EachOnce(ctx, ph.base, ph.reqs, conns)
		if err := ctx.Err(); err != nil {
			return err
		}
		s[ph.name] = Series{{Result: res}}
	}
	mode := Saturation
	if conns == 1 {
		mode = OneConnection
	}
	e.record(fmt.Sprintf("multi-replica list page, each key once, %d connection(s)", conns), mode, 0, s)
	v := e.Res.Values
	rps := func(name string) float64 { return s[name][0].RPS() }
	p50 := func(name string) float64 { return percentile(s[name].latencies(), 50) }
	if conns == 1 {
		v["info.replicas.l2_p50_ms"], v["info.replicas.l1_p50_ms"], v["info.replicas.uncached_p50_ms"] =
			p50("Redis hit (L2)"), p50("in-process hit (L1)"), p50("uncached (database)")
	} else {
		v["info.replicas.l2_rps"], v["info.replicas.l1_rps"], v["info.replicas.uncached_rps"] =
			rps("Redis hit (L2)"), rps("in-process hit (L1)"), rps("uncached (database)")
	}
	after, err := scrapeSeries(ctx, bases[1]+"/metrics", `contextapi_cache_l2_requests_total{result="hit"}`)
	if err != nil {
		return err
	}
	// Two reads per key: the remembered answer and the value it was built from.
	e.note("multi-replica, %d connection(s): the second process counted %g Redis hits for %d keys the third loaded", conns, after-before, n)
	return nil
}

// waitGauge waits until the series reads want.
func waitGauge(ctx context.Context, base, series string, want float64, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		v, err := scrapeSeries(ctx, base+"/metrics", series)
		if err == nil && v == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is %g after %s, not %g (err %v)", series, v, within, want, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// scrapeSeries reads one series (name and labels, as /metrics prints them).
func scrapeSeries(ctx context.Context, metricsURL, series string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			return strconv.ParseFloat(rest, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no series %s", metricsURL, series)
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
