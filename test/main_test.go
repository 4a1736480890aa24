package test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/adapters/postgres/pgtest"
)

// pg hands each end-to-end test a migrated PostgreSQL database of its own.
var pg *pgtest.Harness

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var err error
	pg, err = pgtest.Start(func(ctx context.Context, dsn string) error {
		_, err := postgres.Migrate(ctx, dsn, postgres.MigrateOptions{})
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer pg.Close()
	return m.Run()
}
