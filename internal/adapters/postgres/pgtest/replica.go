package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// ReplicaAdmin returns the administrative URL of the standby. Without one it skips t
// loudly, or fails it with CI=true.
func (h *Harness) ReplicaAdmin(t testing.TB) string {
	t.Helper()
	h.Require(t)
	if h.replica == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(EnvReplicaURL + " is not set; in CI the tests on a streaming replica must run (scripts/replica.sh provides one)")
		}
		msg := EnvReplicaURL + ` is not set: tests on a streaming replica SKIPPED (run scripts/replica.sh "$` + EnvURL + `" and export its URL)`
		h.replicaWarn.Do(func() { fmt.Fprintln(os.Stderr, "WARNING:", msg) })
		t.Skip(msg)
	}
	return h.replica
}

// OnReplica returns the URL of dsn's database on the standby, once the standby has the
// database and has replayed everything the primary wrote so far (CaughtUp).
func (h *Harness) OnReplica(t testing.TB, dsn string) string {
	t.Helper()
	admin := h.ReplicaAdmin(t)
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err, "parse the database's DSN")
	u, err := url.Parse(admin)
	require.NoError(t, err, "parse "+EnvReplicaURL)
	require.NotEmpty(t, u.Scheme, EnvReplicaURL+" must be a postgres:// URL, as scripts/replica.sh prints")
	u.Path, u.RawPath = "/"+cfg.Database, ""
	h.CaughtUp(t)
	return u.String()
}

// CaughtUp waits (up to 30 s) until the standby has replayed all the WAL the primary
// had written when it was called.
func (h *Harness) CaughtUp(t testing.TB) {
	t.Helper()
	admin := h.ReplicaAdmin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var written string
	require.NoError(t, h.queryRow(ctx, h.admin, "SELECT pg_current_wal_lsn()::text", &written), "read the primary's WAL position")
	require.Eventually(t, func() bool {
		var done bool
		err := h.queryRow(ctx, admin, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", &done, written)
		return err == nil && done
	}, 30*time.Second, 20*time.Millisecond, "the standby did not replay the primary's WAL up to %s", written)
}

// queryRow runs one single-row query on a connection of its own to dsn.
func (h *Harness) queryRow(ctx context.Context, dsn, sql string, dest any, args ...any) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.QueryRow(ctx, sql, args...).Scan(dest)
}

// standbyLock is the advisory lock key HoldStandby takes on the test server.
const standbyLock = 0x636f6e7465787431 // "context1"

// HoldStandby gives t the standby's replay to itself until t ends: tests that pause
// replay, or that need it running throughout, take it, so that such tests in other
// packages (go test runs packages at once) do not pause or resume it under them. It is
// a session advisory lock on the test server, released when its connection closes; the
// tests of one process share it (a test and its subtests may each ask for it).
func (h *Harness) HoldStandby(t testing.TB) {
	t.Helper()
	h.ReplicaAdmin(t)
	h.standbyMu.Lock()
	defer h.standbyMu.Unlock()
	if h.standbyHolders == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, h.admin)
		require.NoError(t, err, "connect to the test server")
		if _, err = conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(standbyLock)); err != nil {
			_ = conn.Close(context.Background())
			require.NoError(t, err, "wait for the standby's replay to be free")
		}
		h.standbyConn = conn
	}
	h.standbyHolders++
	t.Cleanup(func() {
		h.standbyMu.Lock()
		defer h.standbyMu.Unlock()
		if h.standbyHolders--; h.standbyHolders == 0 {
			_ = h.standbyConn.Close(context.Background())
			h.standbyConn = nil
		}
	})
}
