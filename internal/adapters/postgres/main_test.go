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
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var err error
	pg, err = pgtest.Start(func(ctx context.Context, dsn string) error {
		_, err := Migrate(ctx, dsn, MigrateOptions{})
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer pg.Close()
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: goroutine leak:", err)
			return 1
		}
	}
	return code
}

func requireDatabase(t *testing.T) { t.Helper(); pg.Require(t) }

func newDatabase(t *testing.T) string { t.Helper(); return pg.NewDatabase(t) }
