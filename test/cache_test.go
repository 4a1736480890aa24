package test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/dataset"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// cachedPostgres serves the demo data from PostgreSQL (reached at dsn) through the
// cache, with the cache's TTLs on clk, and the store's health checked every second as
// serve does.
func cachedPostgres(t *testing.T, dsn string, clk *clock) (*stack, *postgres.Metrics, *cache.Repository) {
	t.Helper()
	reg := prometheus.NewRegistry()
	metrics := postgres.NewMetrics(reg)
	repo, err := postgres.Open(dsn, postgres.Options{Metrics: metrics, StatementTimeout: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = repo.Close() })
	c, err := cache.New(repo, cache.Options{TTL: time.Minute, StaleWindow: 10 * time.Minute, Now: clk.Now, Registerer: reg})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	svc := app.NewService(c, clk.Now, app.NewCursorCodec([]byte("e2e")))
	health := app.NewHealth(svc, time.Now, app.HealthOptions{Store: "postgresql", Database: true})
	ctx, stop := context.WithCancel(context.Background())
	var checker sync.WaitGroup
	checker.Go(func() { health.Run(ctx) })
	t.Cleanup(func() { stop(); checker.Wait() })
	srv := httpapi.NewServer(svc, reg, slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.Config{Health: health})
	srv.CacheResponses(cache.NewResponses[*httpapi.Replayable](c))
	return &stack{handler: srv, reg: reg}, metrics, c
}

func loadDemo(t *testing.T, now time.Time) string {
	t.Helper()
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(dataset.Demo(now)), postgres.LoadOptions{}))
	return dsn
}

// TestDatabaseOutageWithTheCache: PostgreSQL goes away mid-service (every connection
// cut, new ones refused) and comes back. Readiness stays 200 (every replica shares the
// database: an unready fleet could not serve its cache), cached answers are served,
// stale once past their TTL, uncached ones get a 503 problem, and the database's state
// shows in /health and contextapi_database_up.
func TestDatabaseOutageWithTheCache(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	dsn := loadDemo(t, now)
	proxy := newProxy(t, hostOf(t, dsn))
	clk := &clock{now: now}
	s, _, c := cachedPostgres(t, proxy.via(t, dsn), clk)

	warm := []string{"/api/v1/incidents?limit=5", "/api/v1/incidents/288", "/api/v1/aggregations/severity"}
	bodies := map[string]string{}
	for _, target := range warm {
		r := s.do(t, http.MethodGet, target, "")
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		bodies[target] = string(r.body)
	}
	c.Wait()
	require.Equal(t, http.StatusOK, s.do(t, http.MethodGet, "/health/ready", "").status)
	require.Eventually(t, func() bool { return gaugeOf(t, s.reg, "contextapi_database_up") == 1 }, 5*time.Second, 50*time.Millisecond)

	proxy.cut()
	assert.Eventually(t, func() bool { return gaugeOf(t, s.reg, "contextapi_database_up") == 0 }, 3*time.Second, 50*time.Millisecond,
		"the gauge reads 0 within the next check")
	assert.JSONEq(t, `{"status":"healthy","store":"postgresql","database":"down"}`, string(s.do(t, http.MethodGet, "/health", "").body))
	ready := s.do(t, http.MethodGet, "/health/ready", "")
	assert.Equal(t, http.StatusOK, ready.status, "readiness reports the process, not the shared database")
	verbose := s.do(t, http.MethodGet, "/health/ready?verbose", "")
	assert.Equal(t, http.StatusOK, verbose.status)
	assert.Contains(t, string(verbose.body), `"name":"database","status":"failing","required":false`)
	assert.Equal(t, http.StatusOK, s.do(t, http.MethodGet, "/health/live", "").status)

	for _, target := range warm {
		r := s.do(t, http.MethodGet, target, "")
		assert.Equal(t, http.StatusOK, r.status, target)
		assert.Equal(t, "contextapi; hit", r.header.Get("Cache-Status"), target)
	}
	clk.Advance(2 * time.Minute) // TTL over: the cache must ask the database, which is gone
	for _, target := range warm {
		start := time.Now()
		r := s.do(t, http.MethodGet, target, "")
		assert.Equal(t, http.StatusOK, r.status, target)
		assert.Equal(t, "contextapi; hit; detail=stale", r.header.Get("Cache-Status"), target)
		assert.Equal(t, bodies[target], string(r.body))
		assert.Less(t, time.Since(start), 2*time.Second)
	}
	start := time.Now()
	uncached := s.do(t, http.MethodGet, "/api/v1/incidents?limit=6", "")
	assert.Equal(t, http.StatusServiceUnavailable, uncached.status)
	assert.Equal(t, "application/problem+json", uncached.header.Get("Content-Type"))
	assert.NotEmpty(t, uncached.header.Get("Retry-After"))
	assert.Less(t, time.Since(start), 2*time.Second, "an outage is reported fast")
	assert.NotContains(t, strings.ToLower(string(uncached.body)), "dial")
	assert.Equal(t, http.StatusOK, s.do(t, http.MethodGet, "/health/ready", "").status, "still ready")

	proxy.restore()
	assert.Eventually(t, func() bool { return gaugeOf(t, s.reg, "contextapi_database_up") == 1 }, 5*time.Second, 50*time.Millisecond,
		"the gauge reads 1 once the database is back")
	r := s.do(t, http.MethodGet, "/api/v1/incidents?limit=6", "")
	assert.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"status":"healthy","store":"postgresql","database":"up"}`, string(s.do(t, http.MethodGet, "/health", "").body))
}

// Upstream scenario 08 against PostgreSQL through HTTP: 500 concurrent identical cold
// requests run each statement once, counted in contextapi_db_queries_total.
func TestStampedeRunsEachStatementOnce(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	dsn := loadDemo(t, now)
	s, metrics, _ := cachedPostgres(t, dsn, &clock{now: now})

	// Hold the table so every request arrives while the first statement waits.
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	require.NoError(t, err)
	_, err = tx.Exec(t.Context(), "LOCK TABLE resource_action_traces IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)

	const n = 500
	bodies := make([]string, n)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := s.do(t, http.MethodGet, "/api/v1/incidents?namespace=checkout&limit=10", "")
			statuses[i], bodies[i] = r.status, string(r.body)
		})
	}
	require.Eventually(t, func() bool {
		return counterValue(t, s.reg, "contextapi_cache_singleflight_shared_total") >= n-1
	}, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, tx.Rollback(t.Context()))
	wg.Wait()
	for i := range n {
		assert.Equal(t, http.StatusOK, statuses[i])
		assert.Equal(t, bodies[0], bodies[i])
	}
	assert.InDelta(t, 1, metrics.Queries("list"), 0, "one page statement for %d requests", n)
	assert.InDelta(t, 1, metrics.Queries("count"), 0, "one count statement for %d requests", n)
}

// gaugeOf reads a gauge from the registry as /metrics would show it.
func gaugeOf(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	return firstMetric(t, reg, name).GetGauge().GetValue()
}

// counterValue reads a counter from the registry as /metrics would show it.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	return firstMetric(t, reg, name).GetCounter().GetValue()
}

func firstMetric(t *testing.T, reg *prometheus.Registry, name string) *dto.Metric {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0]
		}
	}
	t.Fatalf("no metric %s", name)
	return nil
}
