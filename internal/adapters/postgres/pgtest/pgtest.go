// Package pgtest gives tests throwaway PostgreSQL databases. It reads
// CONTEXTAPI_TEST_DATABASE_URL (scripts/db.sh prints one), migrates a template database
// once per test binary and clones it for each test, which takes a fraction of a second,
// so tests never see each other's data. Without the variable, tests skip loudly; with
// CI=true that is a failure instead.
//
// It also reads CONTEXTAPI_TEST_PGBOUNCER_URL (scripts/pgbouncer.sh prints one): a
// PgBouncer in transaction pooling mode in front of the same server, through which
// ThroughPooler reaches any of those databases, so tests see what a pooler rejects.
// Without it, those tests skip loudly, or fail with CI=true.
//
// CONTEXTAPI_TEST_REPLICA_URL (scripts/replica.sh prints one) is a streaming standby of
// the test server: OnReplica reaches any of the harness's databases there, once the
// standby has them, and CaughtUp waits until it has replayed what the primary wrote.
// Without it, those tests skip loudly, or fail with CI=true.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// EnvURL names the variable holding the administrative URL of the test server.
const EnvURL = "CONTEXTAPI_TEST_DATABASE_URL"

// EnvPoolerURL names the variable holding the URL of a database through a PgBouncer in
// transaction pooling mode in front of the test server.
const EnvPoolerURL = "CONTEXTAPI_TEST_PGBOUNCER_URL"

// EnvReplicaURL names the variable holding the URL of a streaming standby of the test
// server, with a user that may pause its replay.
const EnvReplicaURL = "CONTEXTAPI_TEST_REPLICA_URL"

// Harness creates databases on the test server.
type Harness struct {
	admin       string
	pooler      string
	replica     string
	template    string
	seq         atomic.Int64
	skip        string
	poolerWarn  sync.Once
	replicaWarn sync.Once
	// standbyMu guards the lock HoldStandby shares between the tests of this process.
	standbyMu      sync.Mutex
	standbyHolders int
	standbyConn    *pgx.Conn
}

// Main runs a package's tests with *h a harness started by Start(migrate) and returns
// their exit code, for TestMain's os.Exit. A harness that cannot start fails the package;
// after tests that passed, check (when not nil) may still fail it (a leak check, say).
func Main(m *testing.M, h **Harness, migrate func(ctx context.Context, dsn string) error, check func() error) int {
	var err error
	if *h, err = Start(migrate); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer (*h).Close()
	code := m.Run()
	if code == 0 && check != nil {
		if err := check(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			return 1
		}
	}
	return code
}

// Start prepares the template database with migrate. It returns an error in CI when
// no database is configured; elsewhere a harness whose tests skip.
func Start(migrate func(ctx context.Context, dsn string) error) (*Harness, error) {
	h := &Harness{admin: os.Getenv(EnvURL), pooler: os.Getenv(EnvPoolerURL), replica: os.Getenv(EnvReplicaURL)}
	if h.admin == "" {
		if os.Getenv("CI") == "true" {
			return nil, errors.New(EnvURL + " is not set; in CI the PostgreSQL tests must run (scripts/db.sh provides a database)")
		}
		h.skip = EnvURL + " is not set: PostgreSQL tests SKIPPED (run scripts/db.sh and export its URL)"
		fmt.Fprintln(os.Stderr, "WARNING:", h.skip)
		return h, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h.template = fmt.Sprintf("contextapi_tpl_%d_%d", os.Getpid(), rand.IntN(1_000_000)) // #nosec G404 -- a test database name only needs to differ between runs
	if err := h.Exec(ctx, "CREATE DATABASE "+h.template); err != nil {
		return nil, fmt.Errorf("create template database: %w", err)
	}
	if err := migrate(ctx, h.URL(h.template)); err != nil {
		h.Close()
		return nil, fmt.Errorf("migrate template database: %w", err)
	}
	return h, nil
}

// Close drops the template database.
func (h *Harness) Close() {
	if h.template != "" {
		_ = h.Exec(context.Background(), "DROP DATABASE IF EXISTS "+h.template+" WITH (FORCE)")
	}
}

// Available reports whether a database is configured.
func (h *Harness) Available() bool { return h.skip == "" }

// Require skips t when no database is configured (outside CI).
func (h *Harness) Require(t testing.TB) {
	t.Helper()
	if h.skip != "" {
		t.Skip(h.skip)
	}
}

// NewDatabase clones the migrated template into a database of t's own and returns
// its URL; the database is dropped when t ends.
func (h *Harness) NewDatabase(t testing.TB) string {
	t.Helper()
	h.Require(t)
	name := h.NewName()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, h.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, h.template)))
	t.Cleanup(func() { _ = h.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return h.URL(name)
}

// NewName returns a database name no other test of this run uses.
func (h *Harness) NewName() string {
	return fmt.Sprintf("%s_%d", h.template, h.seq.Add(1))
}

// URL is the administrative URL pointing at database name.
func (h *Harness) URL(name string) string {
	u, err := url.Parse(h.admin)
	if err != nil || u.Scheme == "" {
		return h.admin + " dbname=" + name // a key=value DSN
	}
	u.Path = "/" + name
	return u.String()
}

// PoolerAvailable reports whether a database and a pooler in front of it are configured.
func (h *Harness) PoolerAvailable() bool { return h.Available() && h.pooler != "" }

// ThroughPooler returns the URL of dsn's database through the pooler: its host, port,
// user, password and parameters are the pooler URL's. Without a pooler it skips t
// loudly, or fails it with CI=true.
func (h *Harness) ThroughPooler(t testing.TB, dsn string) string {
	t.Helper()
	h.Require(t)
	if h.pooler == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(EnvPoolerURL + " is not set; in CI the tests through PgBouncer must run (scripts/pgbouncer.sh provides one)")
		}
		msg := EnvPoolerURL + ` is not set: tests through PgBouncer SKIPPED (run scripts/pgbouncer.sh "$` + EnvURL + `" and export its URL)`
		h.poolerWarn.Do(func() { fmt.Fprintln(os.Stderr, "WARNING:", msg) })
		t.Skip(msg)
	}
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err, "parse the database's DSN")
	u, err := url.Parse(h.pooler)
	require.NoError(t, err, "parse "+EnvPoolerURL)
	require.NotEmpty(t, u.Scheme, EnvPoolerURL+" must be a postgres:// URL, as scripts/pgbouncer.sh prints")
	u.Path, u.RawPath = "/"+cfg.Database, ""
	return u.String()
}

// Exec runs one statement on the administrative connection.
func (h *Harness) Exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, h.admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}
