package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/promreg"
)

// Defaults applied to zero fields of Config: net/http has no timeouts of its own; the
// header timeout closes the Slowloris hole (gosec G112), the others bound how long a slow
// client holds a connection.
const (
	defaultReadHeaderTimeout = 5 * time.Second
	defaultReadTimeout       = 15 * time.Second
	defaultWriteTimeout      = 30 * time.Second
	defaultIdleTimeout       = 60 * time.Second
	defaultMaxHeaderBytes    = 64 << 10
	defaultShutdownTimeout   = 20 * time.Second
	defaultDrainDelay        = 5 * time.Second
)

// Config tunes the HTTP server. Every zero field takes its default.
type Config struct {
	// ReadHeaderTimeout bounds reading the request headers (default 5s).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading the whole request (default 15s).
	ReadTimeout time.Duration
	// WriteTimeout bounds writing the response (default 30s).
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its next request
	// (default 60s).
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request headers (default 64 KiB).
	MaxHeaderBytes int
	// ShutdownTimeout bounds how long in-flight requests may take to finish once draining
	// is over (default 20s); connections still busy then are closed.
	ShutdownTimeout time.Duration
	// DrainDelay is how long the server keeps serving with readiness failing before it
	// stops accepting connections, so load balancers take it out of rotation first
	// (default 5s). A negative value means no delay.
	DrainDelay time.Duration
	// MetricsAddr, when set, moves /metrics to a listener of its own (ListenAndServe
	// opens it), and the API listener answers 404 for it.
	MetricsAddr string
	// Health decides readiness and reports the store; nil: one over the service's
	// repository, unnamed, not requiring the database.
	Health *app.Health
	// Auth, when set, must accept an /api/* request's bearer token before anything
	// answers it; AuthMode names the mode in metrics (bearer, kubernetes).
	Auth     ports.Authenticator
	AuthMode string
	// RequireClientCert: /api/* answers only requests on a TLS connection with a
	// verified client certificate (mutual TLS; TLS must verify certificates if given).
	RequireClientCert bool
	// RateLimiter, when set, limits every /api/* request per principal (per peer
	// address without authentication).
	RateLimiter RateLimiter
	// TLS, when set, serves the API over TLS with this configuration (its certificate
	// callbacks pick up rotated files). The metrics listener stays plain HTTP.
	TLS *tls.Config
	// RequestTimeout, when positive, bounds every /api/* request the cache cannot
	// replay, on the service's side: a stalled network or database ends in a 503 (or a
	// stale answer from the cache) when it runs out, whatever the server does.
	RequestTimeout time.Duration
	// MCP, when set, serves the Model Context Protocol at /mcp (the root builds it over
	// the same service), behind the same authentication, rate limit and request
	// deadline as /api/*.
	MCP http.Handler
	// TracerProvider, when set, gives every request a server span (trace.go), continuing
	// a caller's W3C trace context; nil: no span, and nothing spent on tracing.
	TracerProvider trace.TracerProvider
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ReadHeaderTimeout, defaultReadHeaderTimeout)
	def(&c.ReadTimeout, defaultReadTimeout)
	def(&c.WriteTimeout, defaultWriteTimeout)
	def(&c.IdleTimeout, defaultIdleTimeout)
	def(&c.ShutdownTimeout, defaultShutdownTimeout)
	def(&c.DrainDelay, defaultDrainDelay)
	if c.DrainDelay < 0 {
		c.DrainDelay = 0
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = defaultMaxHeaderBytes
	}
	return c
}

// errShuttingDown is the cause given to requests still running when the shutdown budget
// ends: they answer 503 rather than losing their connection.
var errShuttingDown = errors.New("httpapi: shutting down")

// shutdownAnswerGrace is how long stopped requests get to write their 503.
const shutdownAnswerGrace = time.Second

// Server is contextapi's HTTP API: an http.Handler, and a server with graceful shutdown.
type Server struct {
	echo   *echo.Echo
	svc    *app.Service
	logger *slog.Logger
	cfg    Config
	*httpMetrics
	// routes holds the registered route templates; metrics label anything else
	// "unmatched", so raw paths never become label values.
	routes  map[string]bool
	openapi []byte
	// draining turns readiness to 503 as soon as shutdown begins.
	draining atomic.Bool
	// active counts requests being served (the in-flight gauge, readable).
	active atomic.Int64
	// responses, when set, keeps encoded answers built from cached values; direct says
	// they are replayed before Echo (replay_direct.go).
	responses ResponseStore
	direct    bool
	// storeHealth decides readiness; Serve keeps it checking.
	storeHealth *app.Health
	// metricsHandler serves /metrics, on the API listener or its own.
	metricsHandler http.Handler
	// tracer makes the request spans; nil when tracing is off.
	tracer trace.Tracer
}

// NewServer returns the API serving svc. HTTP metrics, and the Go and process collectors,
// are registered on reg (idempotently: a second server on the same registry shares
// them), which /metrics exposes. A nil logger discards logs; a nil reg gets a fresh one.
// NewServer panics if the embedded OpenAPI document is not valid YAML, which the
// package's tests rule out.
func NewServer(svc *app.Service, reg *prometheus.Registry, logger *slog.Logger, cfg Config) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	doc, err := openapiJSON()
	if err != nil {
		panic(err)
	}
	s := &Server{
		svc:            svc,
		logger:         logger,
		cfg:            cfg.withDefaults(),
		httpMetrics:    newHTTPMetrics(reg),
		openapi:        doc,
		storeHealth:    cfg.Health,
		metricsHandler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}
	if cfg.TracerProvider != nil {
		s.tracer = cfg.TracerProvider.Tracer(tracerName)
	}
	if s.storeHealth == nil {
		s.storeHealth = app.NewHealth(svc, time.Now, app.HealthOptions{})
	}
	promreg.Once(reg, databaseUpGauge(s.storeHealth))
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// Echo's own logger only warns about double writes; our logs go through slog.
	e.Logger.SetOutput(io.Discard)
	e.HTTPErrorHandler = s.handleError
	// Order matters: the request id exists before anything can fail; observe sees the
	// final status because it renders errors itself; recover sits inside observe so a
	// panic is counted and logged as the 500 it becomes; access is decided (credentials,
	// then the rate limit) before a remembered answer can be replayed, so the cache only
	// ever answers requests that may read. The request's span, when tracing is on, comes
	// first, so it covers everything and the log line can name its trace.
	var chain []echo.MiddlewareFunc
	if s.tracer != nil {
		chain = append(chain, s.traceRequests)
	}
	chain = append(chain, s.requestID, s.observe, s.recoverPanics)
	if s.cfg.Auth != nil || s.cfg.RequireClientCert {
		chain = append(chain, s.guardAPI)
	}
	if s.cfg.RateLimiter != nil {
		chain = append(chain, s.rateLimitAPI)
	}
	chain = append(chain, s.replayRemembered)
	if s.cfg.RequestTimeout > 0 {
		// After the replay: a remembered answer needs no deadline, nor its allocations.
		chain = append(chain, s.deadlineAPI)
	}
	e.Use(chain...)
	s.register(e, reg)
	s.routes = map[string]bool{}
	for _, r := range e.Routes() {
		s.routes[r.Path] = true
	}
	s.echo = e
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.direct && s.serveRemembered(w, r) {
		return
	}
	s.echo.ServeHTTP(w, r)
}

// ListenAndServe listens on addr (e.g. ":8080"), and on Config.MetricsAddr when set,
// and serves until ctx is done; see Serve.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("httpapi: listen: %w", err)
	}
	var metricsLn net.Listener
	if s.cfg.MetricsAddr != "" {
		if metricsLn, err = lc.Listen(ctx, "tcp", s.cfg.MetricsAddr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("httpapi: listen for metrics: %w", err)
		}
	}
	return s.ServeWithMetrics(ctx, ln, metricsLn)
}

// Serve serves the API on ln until ctx is done; see ServeWithMetrics.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.ServeWithMetrics(ctx, ln, nil)
}

// ServeWithMetrics serves the API on ln, and /metrics alone on metricsLn when it is not
// nil, until ctx is done, then shuts down gracefully: readiness answers 503 at once,
// the server keeps serving for DrainDelay, then stops accepting and waits up to
// ShutdownTimeout for in-flight requests; the metrics listener stays open until then,
// so scrapes see the drain. It keeps the store's health checked while it serves, and
// returns nil after a clean shutdown. It takes ownership of the listeners. A Server
// serves once.
func (s *Server) ServeWithMetrics(ctx context.Context, ln, metricsLn net.Listener) error {
	checking, stopChecking := context.WithCancel(context.WithoutCancel(ctx))
	var checker sync.WaitGroup
	checker.Go(func() { s.storeHealth.Run(checking) })
	defer func() { stopChecking(); checker.Wait() }()
	if metricsLn != nil {
		ms := s.metricsServer()
		go func() { _ = ms.Serve(metricsLn) }()
		defer func() { _ = ms.Close() }()
	}

	hs := s.httpServer(s)
	// Requests derive from base, so requests still running when the shutdown budget
	// ends can be told to stop (the cause says why) and answered 503.
	base, stopRequests := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopRequests(nil)
	hs.BaseContext = func(net.Listener) context.Context { return base }
	served := make(chan error, 1)
	if s.cfg.TLS != nil {
		hs.TLSConfig = s.cfg.TLS
		// No files: the configuration's callbacks serve the current certificate.
		go func() { served <- hs.ServeTLS(ln, "", "") }()
	} else {
		go func() { served <- hs.Serve(ln) }()
	}

	select {
	case err := <-served:
		return fmt.Errorf("httpapi: serve: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.logger.Info("shutting down: draining", slog.Duration("drain_delay", s.cfg.DrainDelay))
	drain := time.NewTimer(s.cfg.DrainDelay)
	select {
	case <-drain.C:
	case err := <-served:
		drain.Stop()
		return fmt.Errorf("httpapi: serve: %w", err)
	}

	// The shutdown budget is fresh: ctx is already done, and in-flight requests must
	// still be allowed to finish.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		// The budget is spent: stop what still runs and let each request answer its
		// client with a 503 problem before the connections close. Shutting down was
		// asked for, so this is no failure of the server.
		inFlight := s.active.Load()
		stopRequests(errShuttingDown)
		answered, cancelAnswered := context.WithTimeout(context.WithoutCancel(ctx), shutdownAnswerGrace)
		defer cancelAnswered()
		if err := hs.Shutdown(answered); err != nil {
			_ = hs.Close()
		}
		<-served
		s.logger.Warn("shut down with requests still running: they were answered 503",
			slog.Int64("requests", inFlight), slog.Duration("shutdown_timeout", s.cfg.ShutdownTimeout))
		return nil
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpapi: serve: %w", err)
	}
	s.logger.Info("shut down")
	return nil
}
