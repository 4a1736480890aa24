package postgres

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// poolGauges scrapes reg's contextapi_db_pool_* series, named without the prefix and
// with their labels: `connections{state="open"}`, `waits_total`, ...
func poolGauges(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, f := range families {
		name, ok := strings.CutPrefix(f.GetName(), "contextapi_db_pool_")
		if !ok {
			continue
		}
		for _, m := range f.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += `{` + l.GetName() + `="` + l.GetValue() + `"}`
			}
			switch {
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// state is the exact part of poolGauges: everything but the seconds waited.
func state(open, inUse, idle, maxConns, waits, waiting float64) map[string]float64 {
	return map[string]float64{
		`connections{state="open"}`:   open,
		`connections{state="in_use"}`: inUse,
		`connections{state="idle"}`:   idle,
		"max_connections":             maxConns,
		"waits_total":                 waits,
		"waiting":                     waiting,
	}
}

// withoutSeconds is g less wait_seconds_total (g itself is left as it is).
func withoutSeconds(g map[string]float64) map[string]float64 {
	out := maps.Clone(g)
	delete(out, "wait_seconds_total")
	return out
}

func TestPoolGaugesFollowThePool(t *testing.T) {
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(porttest.Fixture(porttest.FixtureNow)), LoadOptions{}))
	reg := prometheus.NewRegistry()
	metrics := NewMetrics(reg)
	assert.Empty(t, poolGauges(t, reg), "no series before a repository opens")

	repo, err := Open(dsn, Options{MaxOpenConns: 2, Metrics: metrics})
	require.NoError(t, err)
	defer repo.Close()
	g := poolGauges(t, reg)
	assert.Zero(t, g["wait_seconds_total"])
	assert.Equal(t, state(0, 0, 0, 2, 0, 0), withoutSeconds(g))

	pool := repo.pools.named
	c1, err := pool.Acquire(t.Context())
	require.NoError(t, err)
	// An acquire that opens a connection waited for it: it counts as a wait.
	assert.Equal(t, state(1, 1, 0, 2, 1, 0), withoutSeconds(poolGauges(t, reg)))
	c2, err := pool.Acquire(t.Context())
	require.NoError(t, err)
	assert.Equal(t, state(2, 2, 0, 2, 2, 0), withoutSeconds(poolGauges(t, reg)))
	before := poolGauges(t, reg)["wait_seconds_total"]

	acquired := make(chan *pgxpool.Conn, 1)
	go func() {
		c, err := pool.Acquire(t.Context())
		assert.NoError(t, err)
		acquired <- c
	}()
	require.Eventually(t, func() bool { return poolGauges(t, reg)["waiting"] == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, state(2, 2, 0, 2, 2, 1), withoutSeconds(poolGauges(t, reg)), "a third acquire waits")
	const held = 200 * time.Millisecond
	time.Sleep(held)
	c1.Release()
	c3 := <-acquired
	g = poolGauges(t, reg)
	assert.Equal(t, state(2, 2, 0, 2, 3, 0), withoutSeconds(g), "the released connection went to the waiting acquire")
	assert.GreaterOrEqual(t, g["wait_seconds_total"]-before, held.Seconds(), "the wait is counted")
	assert.Less(t, g["wait_seconds_total"]-before, held.Seconds()+2)
	t.Logf("wait_seconds_total: %.4f after two connections opened, %.4f after the third acquire waited %s",
		before, g["wait_seconds_total"], held)

	c2.Release()
	c3.Release()
	assert.Equal(t, state(2, 0, 2, 2, 3, 0), withoutSeconds(poolGauges(t, reg)))
	_, _, err = repo.List(t.Context(), domain.ListQuery{Limit: 3}) // two statements, two idle connections
	require.NoError(t, err)
	assert.Equal(t, state(2, 0, 2, 2, 3, 0), withoutSeconds(poolGauges(t, reg)), "idle connections are no wait")
	require.NoError(t, repo.Ping(t.Context()))
	assert.Equal(t, state(2, 0, 2, 2, 3, 0), withoutSeconds(poolGauges(t, reg)), "pings use a connection of their own")

	// Once a transaction pooler loses a prepared statement, statements go to the other
	// pool: the gauges follow, and the counters do not go back.
	require.True(t, repo.pools.lostPrepared(&pgconn.PgError{Code: "26000"}))
	require.Eventually(t, func() bool { return poolGauges(t, reg)[`connections{state="open"}`] == 0 }, 5*time.Second, 5*time.Millisecond,
		"the named pool's idle connections close")
	_, _, err = repo.Get(t.Context(), domain.GetQuery{ID: 1})
	require.NoError(t, err)
	assert.Equal(t, state(1, 0, 1, 2, 4, 0), withoutSeconds(poolGauges(t, reg)))

	require.NoError(t, repo.Close())
	assert.Empty(t, poolGauges(t, reg), "a closed repository is no longer reported")
}

// TestPoolMetricsOnOneRegistryTwice: two repositories whose metrics share a registry (two
// in one process) do not panic, and the pool series add both up.
func TestPoolMetricsOnOneRegistryTwice(t *testing.T) {
	dsn := newDatabase(t)
	reg := prometheus.NewRegistry()
	first, err := Open(dsn, Options{MaxOpenConns: 2, Metrics: NewMetrics(reg)})
	require.NoError(t, err)
	defer first.Close()
	var second *Repository
	require.NotPanics(t, func() {
		second, err = Open(dsn, Options{MaxOpenConns: 3, Metrics: NewMetrics(reg)})
	})
	require.NoError(t, err)
	defer second.Close()
	assert.Same(t, first.metrics.pool, second.metrics.pool)
	assert.Equal(t, state(0, 0, 0, 5, 0, 0), withoutSeconds(poolGauges(t, reg)))
	c, err := second.pools.named.Acquire(t.Context())
	require.NoError(t, err)
	assert.Equal(t, state(1, 1, 0, 5, 1, 0), withoutSeconds(poolGauges(t, reg)))
	c.Release()
	require.NoError(t, second.Ping(t.Context()))
	require.NoError(t, first.Ping(t.Context()))
	assert.InDelta(t, 2, first.Metrics().Queries("ping"), 0, "the statement counters are shared too")
	require.NoError(t, second.Close())
	assert.Equal(t, state(0, 0, 0, 2, 0, 0), withoutSeconds(poolGauges(t, reg)))
}
