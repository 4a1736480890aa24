package main

import (
	"fmt"

	"github.com/spf13/cobra"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

func newMigrateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending schema migrations to the configured database (safe to run twice)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			if err := requireDatabase(cfg); err != nil {
				return err
			}
			applied, err := postgres.Migrate(cmd.Context(), cfg.DatabaseURL)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(applied) == 0 {
				fmt.Fprintln(out, "schema is up to date: no migration applied")
			}
			for _, name := range applied {
				fmt.Fprintln(out, "applied", name)
			}
			return nil
		},
	}
	addConfigFlags(cmd.Flags(), "database_url")
	return cmd
}

// requireDatabase refuses commands that need a database when none is configured.
func requireDatabase(cfg contextapi.Config) error {
	if cfg.DatabaseURL == "" {
		return &contextapi.ConfigError{Key: "database_url", Reason: "is required (flag --database-url, or CONTEXTAPI_DATABASE_URL / DATABASE_URL)"}
	}
	return nil
}
