package test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
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
// serve does; readiness does not follow the database, as by default.
func cachedPostgres(t *testing.T, dsn string, clk *clock) (*stack, *postgres.Metrics, *cache.Repository) {
	t.Helper()
	return cachedPostgresWith(t, dsn, clk, cachedConfig{})
}

// cachedConfig changes what cachedPostgresWith builds.
type cachedConfig struct {
	requireDatabase  bool          // readiness follows the database (readiness_requires_database)
	statementTimeout time.Duration // 2 s when zero
}

// cachedPostgresWith is cachedPostgres as cfg changes it.
func cachedPostgresWith(t *testing.T, dsn string, clk *clock, cfg cachedConfig) (*stack, *postgres.Metrics, *cache.Repository) {
	t.Helper()
	if cfg.statementTimeout == 0 {
		cfg.statementTimeout = 2 * time.Second
	}
	reg := prometheus.NewRegistry()
	metrics := postgres.NewMetrics(reg)
	repo, err := postgres.Open(dsn, postgres.Options{Metrics: metrics, StatementTimeout: cfg.statementTimeout})
	require.NoError(t, err)
	t.Cleanup(func() { _ = repo.Close() })
	c, err := cache.New(repo, cache.Options{TTL: time.Minute, StaleWindow: 10 * time.Minute, Now: clk.Now, Registerer: reg})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	svc := app.NewService(c, clk.Now, app.NewCursorCodec([]byte("e2e")))
	health := app.NewHealth(svc, time.Now, app.HealthOptions{Store: "postgresql", Database: true, RequireDatabase: cfg.requireDatabase})
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

// counterSum adds up every series of a counter, as sum(name) would.
func counterSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	total := 0.0
	for _, f := range families {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
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
