package test

import (
	"context"
	"os"
	"testing"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/adapters/postgres/pgtest"
)

// pg hands each end-to-end test a migrated PostgreSQL database of its own.
var pg *pgtest.Harness

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, &pg, func(ctx context.Context, dsn string) error {
		_, err := postgres.Migrate(ctx, dsn, postgres.MigrateOptions{})
		return err
	}, nil))
}
