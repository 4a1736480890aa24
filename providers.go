package contextapi

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/google/wire"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/ports"
)

// App is the assembled service and a one-line description of what it serves from.
type App struct {
	Server  *httpapi.Server
	Backend Backend
}

// Backend is the store the service reads, what to call it in the first log line, and
// the encoded-response store of its cache (nil without one).
type Backend struct {
	Repository  ports.Repository
	Description string
	Responses   httpapi.ResponseStore
}

var appSet = wire.NewSet(
	provideClock,
	provideRegistry,
	provideBackend,
	provideService,
	provideCursorCodec,
	provideServerConfig,
	provideServer,
	wire.Struct(new(App), "*"),
)

func provideClock() app.Clock { return time.Now }

// provideRegistry makes the private Prometheus registry every adapter reports to.
func provideRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// provideBackend picks the store (PostgreSQL when a database is configured, else the
// in-memory repository seeded with the demo data relative to now) and, unless turned
// off, wraps it in the read cache, whose encoded-response store it also returns.
func provideBackend(cfg Config, now app.Clock, reg *prometheus.Registry) (Backend, func(), error) {
	b, closeRepo, err := openRepository(cfg, now, reg)
	if err != nil || !cfg.CacheEnabled {
		return b, closeRepo, err
	}
	cached, err := cache.New(b.Repository, cache.Options{
		TTL:         cfg.CacheTTL,
		StaleWindow: staleWindow(cfg.CacheStaleWindow),
		MaxBytes:    cfg.CacheMaxBytes,
		Now:         now,
		Registerer:  reg,
	})
	if err != nil {
		closeRepo()
		return Backend{}, nil, err
	}
	b.Repository = cached
	b.Responses = cached.Responses()
	b.Description += fmt.Sprintf(", through a %s read cache (TTL %s)", humanBytes(cfg.CacheMaxBytes), cfg.CacheTTL)
	return b, func() { cached.Close(); closeRepo() }, nil
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

func openRepository(cfg Config, now app.Clock, reg *prometheus.Registry) (Backend, func(), error) {
	if cfg.DatabaseURL != "" {
		repo, err := postgres.Open(cfg.DatabaseURL, postgres.Options{
			StatementTimeout: cfg.StatementTimeout,
			MaxOpenConns:     cfg.DBMaxOpenConns,
			EfSearch:         cfg.HNSWEfSearch,
			Metrics:          postgres.NewMetrics(reg),
		})
		if err != nil {
			return Backend{}, nil, err
		}
		return Backend{Repository: repo, Description: "PostgreSQL at " + postgres.Describe(cfg.DatabaseURL)}, func() { _ = repo.Close() }, nil
	}
	events := dataset.Demo(now().UTC())
	desc := fmt.Sprintf("the embedded in-memory store with the built-in demo data (%d incidents): no database configured, nothing is persisted", len(events))
	return Backend{Repository: memory.NewRepository(events), Description: desc}, func() {}, nil
}

func provideService(b Backend, now app.Clock, cursors *app.CursorCodec) *app.Service {
	return app.NewService(b.Repository, now, cursors)
}

func provideCursorCodec(cfg Config) *app.CursorCodec {
	return app.NewCursorCodec([]byte(cfg.CursorSecret))
}

func provideServerConfig(cfg Config) httpapi.Config {
	drain := cfg.DrainDelay
	if drain == 0 {
		drain = -1 // httpapi reads zero as "use the default"; the operator asked for none
	}
	return httpapi.Config{ShutdownTimeout: cfg.ShutdownTimeout, DrainDelay: drain}
}

func provideServer(svc *app.Service, reg *prometheus.Registry, logger *slog.Logger, cfg httpapi.Config, b Backend) *httpapi.Server {
	srv := httpapi.NewServer(svc, reg, logger, cfg)
	if b.Responses != nil {
		srv.CacheResponses(b.Responses)
	}
	return srv
}
