package postgres

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/contextapi/contextapi/internal/adapters/postgres/pgtest"
)

// pg hands each test a migrated database of its own (see pgtest).
var pg *pgtest.Harness

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, &pg, func(ctx context.Context, dsn string) error {
		_, err := Migrate(ctx, dsn, MigrateOptions{})
		return err
	}, func() error {
		if err := goleak.Find(); err != nil {
			return fmt.Errorf("goroutine leak: %w", err)
		}
		return nil
	}))
}

func requireDatabase(t *testing.T) { t.Helper(); pg.Require(t) }

func newDatabase(t *testing.T) string { t.Helper(); return pg.NewDatabase(t) }
