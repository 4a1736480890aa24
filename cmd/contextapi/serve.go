package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/logbuffer"
	"github.com/contextapi/contextapi/internal/logjson"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func newServeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API (the built-in demo data when no database is configured)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			return serve(cmd.Context(), cfg)
		},
	}
	addConfigFlags(cmd.Flags(), serveKeys...)
	return cmd
}

// serveKeys are the configuration keys serve takes as flags.
var serveKeys = []string{"addr", "metrics_addr", "database_url", "database_password_file", "demo",
	"readiness_requires_database", "log_level", "log_format", "shutdown_timeout", "drain_delay",
	"cursor_secret", "statement_timeout", "request_timeout", "db_max_open_conns", "hnsw_ef_search", "cache_enabled",
	"cache_ttl", "cache_stale_window", "cache_max_bytes", "cache_day_partials",
	"cache_redis_url", "cache_redis_prefix", "cache_redis_timeout", "cache_redis_lease_wait",
	"auth_mode", "auth_tokens_file", "auth_audiences", "auth_verb", "auth_resource", "auth_resource_name",
	"auth_namespace", "auth_cache_ttl", "auth_denied_cache_ttl", "tls_cert_file", "tls_key_file",
	"tls_client_ca_file", "max_concurrent_queries", "queue_timeout", "rate_limit", "rate_burst",
	"database_replica_urls", "max_replica_lag",
	"embedder_url", "embedder_model", "embedder_api_key_file", "embedder_timeout", "embedder_retries",
	"embedder_max_batch", "embedder_cache_max_bytes"}

func serve(parent context.Context, cfg contextapi.Config) error {
	logger, flushLog, closeLog := newLogger(cfg)
	defer closeLog()
	application, cleanup, err := contextapi.InitializeApp(cfg, logger)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	defer cleanup()
	first := []any{"store", application.Backend.Store, "addr", cfg.Addr, "metrics_addr", metricsAddr(cfg),
		"access", cfg.Access.Describe(), "tracing", application.Tracing.Describe(),
		"text_queries", application.Text.Description, "version", version}
	level := slog.LevelInfo
	if application.Access.OpenToAll(cfg.Addr) {
		// In the first line itself, so nobody misses it.
		level = slog.LevelWarn
		first = append(first, "warning", "authentication is off and the API listens beyond loopback: anyone who reaches "+
			cfg.Addr+" reads the incident history (set auth_mode to bearer or kubernetes, or tls_client_ca_file)")
	}
	logger.Log(context.Background(), level, "contextapi serving from "+application.Backend.Description, first...)
	for _, name := range cfg.Unrecognised {
		logger.Warn("ignored: not a configuration key (misspelt?)", "variable", name)
	}
	// The start-up lines are the first an operator (or a probe of the logs) looks for:
	// out now, not with the next batch.
	flushLog()

	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		// After the first signal, a second one ends the process at once.
		<-ctx.Done()
		stop()
	}()
	if err := application.Server.ListenAndServe(ctx, cfg.Addr); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("contextapi stopped")
	return nil
}

// metricsAddr says where /metrics is served, for the first log line.
func metricsAddr(cfg contextapi.Config) string {
	if cfg.MetricsAddr == "" {
		return cfg.Addr
	}
	return cfg.MetricsAddr
}

// logFlushInterval is how long a log line may wait in the buffer: short enough for a
// person or a log shipper to see it at once, long enough to batch a busy second's lines.
const logFlushInterval = 100 * time.Millisecond

// newLogger writes to stderr as log_format says: auto is JSON, what log pipelines
// parse, unless a person is reading a terminal. The lines are batched
// (internal/logbuffer): flush writes out what is buffered, and closeLog, which must run
// before the process exits, the rest.
func newLogger(cfg contextapi.Config) (logger *slog.Logger, flush, closeLog func()) {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	out := logbuffer.New(os.Stderr, logFlushInterval)
	// stderr failing leaves nowhere to report it; Close returns the first error too.
	flush, closeLog = func() { _ = out.Flush() }, func() { _ = out.Close() }
	if logFormat(cfg.LogFormat, term.IsTerminal(int(os.Stderr.Fd()))) == "json" {
		// slog's JSON lines, written at half the cost (internal/logjson): one per request.
		return slog.New(logjson.New(out, opts)), flush, closeLog
	}
	return slog.New(slog.NewTextHandler(out, opts)), flush, closeLog
}

func logFormat(configured string, terminal bool) string {
	if configured != "auto" {
		return configured
	}
	if terminal {
		return "text"
	}
	return "json"
}
