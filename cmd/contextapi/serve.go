package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	contextapi "github.com/contextapi/contextapi"
	"github.com/spf13/cobra"
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
	addConfigFlags(cmd.Flags(), "addr", "database_url", "log_level", "log_format", "shutdown_timeout", "drain_delay", "cursor_secret", "statement_timeout", "db_max_open_conns", "hnsw_ef_search", "cache_enabled", "cache_ttl", "cache_stale_window", "cache_max_bytes")
	return cmd
}

func serve(parent context.Context, cfg contextapi.Config) error {
	logger := newLogger(cfg)
	application, cleanup, err := contextapi.InitializeApp(cfg, logger)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	defer cleanup()
	logger.Info("contextapi serving from "+application.Backend.Description, "addr", cfg.Addr, "version", version)

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

func newLogger(cfg contextapi.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
