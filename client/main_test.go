package client_test

import (
	"context"
	"os"
	"testing"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/adapters/postgres/pgtest"
)

// pg hands each PostgreSQL test a migrated database of its own, from
// CONTEXTAPI_TEST_DATABASE_URL: without it those tests skip loudly, or, with CI=true,
// the package fails (pgtest's convention).
var pg *pgtest.Harness

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, &pg, func(ctx context.Context, dsn string) error {
		_, err := postgres.Migrate(ctx, dsn, postgres.MigrateOptions{})
		return err
	}, nil))
}
