package contextapi

import (
	"fmt"
	"time"

	"github.com/google/wire"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

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

// Backend is the store the service reads and what to call it in the first log line.
type Backend struct {
	Repository  ports.Repository
	Description string
}

var appSet = wire.NewSet(
	provideClock,
	provideRegistry,
	provideBackend,
	provideService,
	provideCursorCodec,
	provideServerConfig,
	httpapi.NewServer,
	wire.Struct(new(App), "*"),
)

func provideClock() app.Clock { return time.Now }

// provideRegistry makes the private Prometheus registry every adapter reports to.
func provideRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// provideBackend picks the store: PostgreSQL when a database is configured, else the
// in-memory repository seeded with the demo data relative to now.
func provideBackend(cfg Config, now app.Clock, reg *prometheus.Registry) (Backend, func(), error) {
	if cfg.DatabaseURL != "" {
		repo, err := postgres.Open(cfg.DatabaseURL, postgres.Options{
			StatementTimeout: cfg.StatementTimeout,
			MaxOpenConns:     cfg.DBMaxOpenConns,
			Metrics:          postgres.NewMetrics(reg),
		})
		if err != nil {
			return Backend{}, nil, err
		}
		return Backend{repo, "PostgreSQL at " + postgres.Describe(cfg.DatabaseURL)}, func() { _ = repo.Close() }, nil
	}
	events := dataset.Demo(now().UTC())
	desc := fmt.Sprintf("the embedded in-memory store with the built-in demo data (%d incidents): no database configured, nothing is persisted", len(events))
	return Backend{memory.NewRepository(events), desc}, func() {}, nil
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
