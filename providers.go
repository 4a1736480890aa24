package contextapi

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/wire"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/contextapi/contextapi/internal/adapters/admission"
	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/adapters/tracing"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/ports"
)

// App is the assembled service and a one-line description of what it serves from.
type App struct {
	Server  *httpapi.Server
	Backend Backend
	Access  Access
	Tracing tracing.Tracing
	Text    TextSearch
}

// Backend is the store the service reads, its name and what to call it in the first
// log line, and the encoded-response store of its cache (nil without one).
type Backend struct {
	Repository  ports.Repository
	Store       Store
	Description string
	Responses   httpapi.ResponseStore
}

//lint:ignore U1000 wire.go (build tag wireinject) builds the graph from it.
var appSet = wire.NewSet(
	provideClock,
	provideTracing,
	provideRegistry,
	provideBackend,
	provideService,
	provideTextSearch,
	provideCursorCodec,
	provideHealth,
	provideAccess,
	provideServerConfig,
	provideServer,
	wire.Struct(new(App), "*"),
)

func provideClock() app.Clock { return time.Now }

// provideTracing sets up OpenTelemetry tracing as the OTEL_* environment asks (off
// unless it asks for OTLP). The cleanup flushes the spans still buffered; the
// application's cleanup runs it once the server has stopped.
func provideTracing(logger *slog.Logger) (tracing.Tracing, func(), error) {
	t, err := tracing.Setup(context.Background(), logger)
	if err != nil {
		return t, nil, err
	}
	return t, func() {
		if err := t.Close(); err != nil {
			logger.Warn("tracing: spans lost at shutdown", "error", err.Error())
		}
	}, nil
}

// provideRegistry makes the private Prometheus registry every adapter reports to.
func provideRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// provideBackend picks the store (PostgreSQL when a database is configured, else the
// in-memory repository seeded with the demo data relative to now) and, unless turned
// off, wraps it in the read cache, whose encoded-response store it also returns.
func provideBackend(cfg Config, now app.Clock, reg *prometheus.Registry, logger *slog.Logger) (Backend, func(), error) {
	b, closeRepo, err := openRepository(cfg, now, reg, logger)
	if err != nil || !cfg.CacheEnabled {
		return b, closeRepo, err
	}
	shared, sharedDesc, closeShared, err := openSharedCache(cfg, logger)
	if err != nil {
		closeRepo()
		return Backend{}, nil, err
	}
	cached, err := cache.New(b.Repository, cache.Options{
		TTL:         cfg.CacheTTL,
		StaleWindow: staleWindow(cfg.CacheStaleWindow),
		MaxBytes:    cfg.CacheMaxBytes,
		DayPartials: cfg.CacheDayPartials,
		Now:         now,
		Registerer:  reg,
		Shared:      shared,
	})
	if err != nil {
		closeShared()
		closeRepo()
		return Backend{}, nil, err
	}
	b.Repository = cached
	b.Responses = cache.NewSharedResponses(cached, replayCodec)
	b.Description += fmt.Sprintf(", through a %s read cache (TTL %s)", humanBytes(cfg.CacheMaxBytes), cfg.CacheTTL)
	if cfg.CacheDayPartials {
		b.Description += " keeping aggregations' closed days"
	}
	b.Description += sharedDesc
	return b, func() { cached.Close(); closeShared(); closeRepo() }, nil
}

// staleWindow maps the configuration's "0s: never" onto the cache's "negative: never".
func staleWindow(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func humanBytes(n int64) string {
	switch {
	case n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%d-byte", n)
}

// openRepository opens the store cfg.Store chooses: the configured PostgreSQL (by URL or
// the PG* variables), or the demo data, never one in place of the other.
func openRepository(cfg Config, now app.Clock, reg *prometheus.Registry, logger *slog.Logger) (Backend, func(), error) {
	store, err := cfg.Store()
	if err != nil {
		return Backend{}, nil, err
	}
	if store == StorePostgreSQL {
		repo, closeRepo, err := openPostgres(cfg, reg, logger)
		if err != nil {
			return Backend{}, nil, err
		}
		// Admission sits under the cache: hits never wait for a query slot.
		gated, err := admission.New(repo, admission.Options{
			MaxConcurrent: cfg.Access.MaxConcurrentQueries,
			QueueTimeout:  cfg.Access.QueueTimeout,
			Registerer:    reg,
		})
		if err != nil {
			closeRepo()
			return Backend{}, nil, err
		}
		desc := fmt.Sprintf("PostgreSQL at %s (settings from %s), admitting %d queries at once (queue %s)",
			postgres.Describe(cfg.DatabaseURL), cfg.DatabaseSource(), cfg.Access.MaxConcurrentQueries, cfg.Access.QueueTimeout)
		if replicas := cfg.Replicas.Describe(); replicas != "" {
			desc += ", " + replicas
		}
		return Backend{Repository: gated, Store: store, Description: desc}, closeRepo, nil
	}
	events := dataset.Demo(now().UTC())
	why := "no database configured"
	if cfg.Demo {
		why = "demo mode asked for"
	}
	desc := fmt.Sprintf("the embedded in-memory store with the built-in demo data (%d invented incidents): %s, nothing is persisted", len(events), why)
	return Backend{Repository: memory.NewRepository(events), Store: store, Description: desc}, func() {}, nil
}

// openPostgres opens the primary alone or, with replicas configured, a router over the
// primary and the replicas (each target with the same options and a pool of its own).
// Without replicas there is no router at all: single-database mode is unchanged.
func openPostgres(cfg Config, reg *prometheus.Registry, logger *slog.Logger) (ports.Repository, func(), error) {
	opts := postgres.Options{
		StatementTimeout: cfg.StatementTimeout,
		MaxOpenConns:     cfg.DBMaxOpenConns,
		EfSearch:         cfg.HNSWEfSearch,
		PasswordFile:     cfg.DatabasePasswordFile,
		Metrics:          postgres.NewMetrics(reg),
		Logger:           logger,
	}
	if len(cfg.Replicas.URLs) == 0 {
		repo, err := postgres.Open(cfg.DatabaseURL, opts)
		if err != nil {
			return nil, nil, err
		}
		return repo, func() { _ = repo.Close() }, nil
	}
	router, err := postgres.OpenRouter(cfg.DatabaseURL, cfg.Replicas.URLs, opts, postgres.RouterOptions{
		MaxLag:     cfg.Replicas.MaxLag,
		Registerer: reg,
		Logger:     logger,
	})
	if err != nil {
		return nil, nil, err
	}
	return router, func() { _ = router.Close() }, nil
}

func provideService(b Backend, now app.Clock, cursors *app.CursorCodec, text TextSearch) *app.Service {
	return app.NewService(b.Repository, now, cursors, text.Options()...)
}

func provideCursorCodec(cfg Config) *app.CursorCodec {
	return app.NewCursorCodec([]byte(cfg.CursorSecret))
}

// provideHealth tracks the store for readiness, /health and contextapi_database_up, and
// logs each time the store stops or starts answering.
func provideHealth(cfg Config, svc *app.Service, now app.Clock, b Backend, logger *slog.Logger) *app.Health {
	return app.NewHealth(svc, now, app.HealthOptions{
		Store:           string(b.Store),
		Database:        b.Store == StorePostgreSQL,
		RequireDatabase: cfg.ReadinessRequiresDatabase,
		OnChange: func(s app.DatabaseState) {
			if s.Up {
				logger.Info("the store answers", "store", b.Store)
				return
			}
			// The error may name hosts, never the password (pgx leaves it out).
			logger.Warn("the store does not answer: uncached requests fail with 503 until it does",
				"store", b.Store, "error", s.Err.Error(), "readiness_requires_database", cfg.ReadinessRequiresDatabase)
		},
	})
}

func provideServerConfig(cfg Config, health *app.Health, access Access, spans tracing.Tracing) httpapi.Config {
	drain := cfg.DrainDelay
	if drain == 0 {
		drain = -1 // httpapi reads zero as "use the default"; the operator asked for none
	}
	return httpapi.Config{
		ShutdownTimeout: cfg.ShutdownTimeout, DrainDelay: drain, MetricsAddr: cfg.MetricsAddr, Health: health,
		Auth: access.Auth, AuthMode: access.Mode, RequireClientCert: access.RequireClientCert,
		RateLimiter: access.RateLimiter, TLS: access.TLS, RequestTimeout: cfg.RequestTimeout,
		TracerProvider: spans.Provider,
	}
}

func provideServer(svc *app.Service, reg *prometheus.Registry, logger *slog.Logger, cfg httpapi.Config, b Backend) *httpapi.Server {
	cfg.MCP = newMCPHandler(svc, cfg.RequestTimeout, logger)
	srv := httpapi.NewServer(svc, reg, logger, cfg)
	if b.Responses != nil {
		srv.CacheResponses(b.Responses)
	}
	return srv
}
