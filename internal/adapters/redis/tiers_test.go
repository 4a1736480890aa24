package redis

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// process is one cache (a service process) with its own registry.
type process struct {
	*cache.Repository
	reg *prometheus.Registry
}

func newProcess(t *testing.T, next ports.Repository, tier cache.Shared, shared cache.SharedOptions) process {
	t.Helper()
	reg := prometheus.NewRegistry()
	shared.Tier = tier
	c, err := cache.New(next, cache.Options{Registerer: reg, Shared: shared})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	p := process{c, reg}
	require.Eventually(t, func() bool { return p.metric(t, "contextapi_cache_l2_up", "") == 1 }, 10*time.Second, 5*time.Millisecond,
		"the cache finds Redis")
	return p
}

// metric reads a gauge, or the series of a counter whose result label is result.
func (p process) metric(t *testing.T, name, result string) float64 {
	t.Helper()
	families, err := p.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if result == "" {
				return m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
			for _, l := range m.GetLabel() {
				if l.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// roundRobin sends each call to the next of several processes: a value one loaded is
// read by the next from Redis, so the contract holds through both tiers.
type roundRobin struct {
	procs []process
	n     atomic.Uint64
}

func (r *roundRobin) next() process { return r.procs[int(r.n.Add(1))%len(r.procs)] }

func (r *roundRobin) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	return r.next().List(ctx, q)
}

func (r *roundRobin) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	return r.next().Get(ctx, q)
}

func (r *roundRobin) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	return r.next().Search(ctx, q)
}

func (r *roundRobin) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	return r.next().Aggregate(ctx, q)
}

func (r *roundRobin) Ping(ctx context.Context) error { return r.next().Ping(ctx) }

func TestTwoTiersOverMemoryKeepThePortContract(t *testing.T) {
	url, _ := sharedRedis(t)
	var hits float64
	var all []process
	porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		_, prefix := sharedRedis(t) // each data set under keys of its own
		c, err := Open(url, Options{Prefix: prefix, Timeout: time.Second})
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		next := memory.NewRepository(events)
		opts := cache.SharedOptions{Timeout: time.Second}
		rr := &roundRobin{procs: []process{newProcess(t, next, c, opts), newProcess(t, next, c, opts)}}
		all = append(all, rr.procs...)
		return rr
	})
	for _, p := range all {
		hits += p.metric(t, "contextapi_cache_l2_requests_total", "hit")
		assert.Zero(t, p.metric(t, "contextapi_cache_l2_requests_total", "error"), "no Redis call failed")
	}
	assert.Positive(t, hits, "values crossed from one process to the other through Redis")
}

func TestRedisKilledAndRestartedMidLoad(t *testing.T) {
	const timeout = 50 * time.Millisecond
	own := startOwnRedis(t)
	c, err := Open(own.url(), Options{Timeout: timeout})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	next := memory.NewRepository(porttest.Fixture(porttest.FixtureNow))
	opts := cache.SharedOptions{Timeout: timeout, ProbeInterval: 100 * time.Millisecond}
	a, b := newProcess(t, next, c, opts), newProcess(t, next, c, opts)

	// Workers read distinct cold queries on a, then the same on b: b's reads are Redis
	// hits while Redis is up.
	var (
		i, failures atomic.Int64
		slowest     atomic.Int64
		stop        = make(chan struct{})
		done        = make(chan struct{})
	)
	const workers = 4
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := i.Add(1)
				q := domain.ListQuery{Limit: 1 + int(n%100), Offset: int(n / 100)}
				for _, p := range []process{a, b} {
					start := time.Now()
					if _, _, err := p.List(context.Background(), q); err != nil {
						failures.Add(1)
					}
					if d := int64(time.Since(start)); d > slowest.Load() {
						slowest.Store(d) // racy max: good enough for a bound
					}
				}
			}
		}()
	}
	hitsOnB := func() float64 { return b.metric(t, "contextapi_cache_l2_requests_total", "hit") }
	require.Eventually(t, func() bool { return hitsOnB() >= 20 }, 10*time.Second, 5*time.Millisecond, "b reads a's values from Redis")

	own.kill()
	require.Eventually(t, func() bool {
		return a.metric(t, "contextapi_cache_l2_up", "") == 0 && b.metric(t, "contextapi_cache_l2_up", "") == 0
	}, 5*time.Second, time.Millisecond, "both find Redis gone")
	downAt := i.Load()
	require.Eventually(t, func() bool { return i.Load() > downAt+200 }, 10*time.Second, time.Millisecond, "reads go on without Redis")
	assert.Positive(t, b.metric(t, "contextapi_cache_l2_requests_total", "skipped"), "Redis skipped while down")

	own.start(t)
	require.Eventually(t, func() bool {
		return a.metric(t, "contextapi_cache_l2_up", "") == 1 && b.metric(t, "contextapi_cache_l2_up", "") == 1
	}, 10*time.Second, 5*time.Millisecond, "both reconnect in the background")
	before := hitsOnB()
	require.Eventually(t, func() bool { return hitsOnB() >= before+20 }, 10*time.Second, 5*time.Millisecond,
		"Redis is used again after its restart")
	close(stop)
	for range workers {
		<-done
	}
	assert.Zero(t, failures.Load(), "no read failed while Redis died and came back")
	// One Redis call past its timeout (or refused) per process and outage, then none.
	assert.Less(t, time.Duration(slowest.Load()), time.Second, "latency stays bounded (timeout %s)", timeout)
	t.Logf("reads %d, slowest %s, errors on a %v b %v, skipped on a %v b %v", 2*i.Load(), time.Duration(slowest.Load()),
		a.metric(t, "contextapi_cache_l2_requests_total", "error"), b.metric(t, "contextapi_cache_l2_requests_total", "error"),
		a.metric(t, "contextapi_cache_l2_requests_total", "skipped"), b.metric(t, "contextapi_cache_l2_requests_total", "skipped"))
}
