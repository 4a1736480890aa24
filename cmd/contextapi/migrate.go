package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

func newMigrateCommand() *cobra.Command {
	var status, dryRun bool
	var opts postgres.MigrateOptions
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending schema migrations to the configured database (safe to run twice)",
		Long: "Apply pending schema migrations to the configured database (safe to run twice).\n\n" +
			"Indexes on resource_action_traces are built per partition CONCURRENTLY and attached; every\n" +
			"step that takes a lock writers would queue behind waits at most a short lock_timeout and is\n" +
			"tried again later. Connect to PostgreSQL itself, not through PgBouncer's transaction pooling.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case status && dryRun:
				return usageError{errors.New("--status and --dry-run are exclusive")}
			case opts.LockTimeout <= 0:
				return usageError{errors.New("--lock-timeout must be positive")}
			case opts.LockRetries < 0:
				return usageError{errors.New("--lock-retries must not be negative")}
			case opts.LockRetries == 0:
				opts.LockRetries = -1 // none; 0 would mean the default to the postgres package
			}
			cfg, err := loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			if err := requireDatabase(cfg); err != nil {
				return err
			}
			opts.PasswordFile = cfg.DatabasePasswordFile
			out := cmd.OutOrStdout()
			switch {
			case status:
				return printStatus(cmd, cfg.DatabaseURL, opts)
			case dryRun:
				plan, err := postgres.MigrateDryRun(cmd.Context(), cfg.DatabaseURL, opts)
				if err != nil {
					return err
				}
				_, err = io.WriteString(out, plan)
				return err
			}
			applied, err := postgres.Migrate(cmd.Context(), cfg.DatabaseURL, opts)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(out, "schema is up to date: no migration applied")
			}
			for _, name := range applied {
				fmt.Fprintln(out, "applied", name)
			}
			return nil
		},
	}
	addConfigFlags(cmd.Flags(), "database_url", "database_password_file")
	cmd.Flags().BoolVar(&status, "status", false,
		"list every migration as applied or pending, changing nothing; exit status 1 if any is pending")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the SQL the pending migrations would run, changing nothing")
	cmd.Flags().DurationVar(&opts.LockTimeout, "lock-timeout", 500*time.Millisecond,
		"longest wait for a lock writers would queue behind (lock_timeout) before the step is tried again")
	cmd.Flags().IntVar(&opts.LockRetries, "lock-retries", 20, "how many times such a step is tried again before migrate gives up")
	return cmd
}

// printStatus lists the migrations, one a line, and ends with exit status 1 when any
// is pending: a Job or a script can wait on it.
func printStatus(cmd *cobra.Command, dsn string, opts postgres.MigrateOptions) error {
	states, err := postgres.MigrateStatus(cmd.Context(), dsn, opts)
	if err != nil {
		return err
	}
	pending := 0
	for _, s := range states {
		if s.Applied {
			fmt.Fprintf(cmd.OutOrStdout(), "applied  %s  %s\n", s.Name, s.AppliedAt.UTC().Format("2006-01-02 15:04:05"))
		} else {
			fmt.Fprintf(cmd.OutOrStdout(), "pending  %s\n", s.Name)
			pending++
		}
	}
	if pending > 0 {
		return exitStatus(1)
	}
	return nil
}
