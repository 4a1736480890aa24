package test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The engines issue 17's tests run on, each started by a script of the project
// (scripts/test.sh exports what they print).
const (
	// envReplicaURL holds the URL of a streaming standby of the test server
	// (scripts/replica.sh), with the test server's user, which may pause its replay.
	envReplicaURL = "CONTEXTAPI_TEST_REPLICA_URL"
	// envRedisURL holds the redis:// URL of a Redis of the tests' own (scripts/redis.sh).
	envRedisURL = "CONTEXTAPI_TEST_REDIS_URL"
)

// engineURL returns the URL in the variable env. When it is unset the test skips loudly,
// or fails with CI=true, where the scripts always provide the engine.
func engineURL(t *testing.T, env, script string) string {
	t.Helper()
	v := os.Getenv(env)
	if v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set; in CI the tests on this engine must run (%s provides it)", env, script)
	}
	msg := fmt.Sprintf("%s is not set: tests on this engine SKIPPED (run %s and export its URL)", env, script)
	fmt.Fprintln(os.Stderr, "WARNING:", msg)
	t.Skip(msg)
	return ""
}

// TestReplicaStreamsThePrimary shows that the standby of scripts/replica.sh streams the
// test server, and that pausing its replay makes it fall behind measurably, as issue 17
// defines replay lag: WAL received but not replayed, and the age of the last replayed
// transaction growing. It writes only to a database of its own.
func TestReplicaStreamsThePrimary(t *testing.T) {
	replicaURL := engineURL(t, envReplicaURL, `scripts/replica.sh "$CONTEXTAPI_TEST_DATABASE_URL"`)
	pg.HoldStandby(t) // it pauses replay: no other package's test may find it paused
	dsn := pg.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	primary, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err, "connect to the primary")
	t.Cleanup(func() { _ = primary.Close(context.Background()) })

	// The standby's administrative connection: it resumes replay whatever happens, so a
	// failed test never leaves the standby behind for the tests after it.
	admin, err := pgx.Connect(ctx, replicaURL)
	require.NoError(t, err, "connect to the standby")
	t.Cleanup(func() {
		_, err := admin.Exec(context.Background(), "SELECT pg_wal_replay_resume()")
		assert.NoError(t, err, "resume replay on the standby")
		_ = admin.Close(context.Background())
	})
	var inRecovery bool
	require.NoError(t, admin.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery))
	require.True(t, inRecovery, "the standby is not in recovery: it is a primary")

	// The new database reaches the standby like any other write.
	standbyDB := onStandby(t, replicaURL, dsn)
	var standby *pgx.Conn
	require.Eventually(t, func() bool {
		standby, err = pgx.Connect(ctx, standbyDB)
		return err == nil
	}, 10*time.Second, 100*time.Millisecond, "the test's database never appeared on the standby")
	t.Cleanup(func() { _ = standby.Close(context.Background()) })

	_, err = primary.Exec(ctx, "CREATE TABLE engines_scratch (id int PRIMARY KEY)")
	require.NoError(t, err)
	_, err = primary.Exec(ctx, "INSERT INTO engines_scratch VALUES (1)")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return visible(ctx, standby, 1) }, 10*time.Second, 50*time.Millisecond,
		"a row written on the primary is not visible on the standby within 10 s")

	// Paused, the standby still receives WAL but applies none of it.
	_, err = admin.Exec(ctx, "SELECT pg_wal_replay_pause()")
	require.NoError(t, err, "pause replay (the test server's user must be a superuser)")
	require.Eventually(t, func() bool {
		var state string
		return admin.QueryRow(ctx, "SELECT pg_get_wal_replay_pause_state()").Scan(&state) == nil && state == "paused"
	}, 10*time.Second, 50*time.Millisecond, "replay never paused")

	_, err = primary.Exec(ctx, "INSERT INTO engines_scratch VALUES (2)")
	require.NoError(t, err)
	var written string
	require.NoError(t, primary.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&written))
	var behind int64
	require.Eventually(t, func() bool {
		var received bool
		err := admin.QueryRow(ctx, `SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn,
			pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint`, written).Scan(&received, &behind)
		return err == nil && received
	}, 10*time.Second, 50*time.Millisecond, "the standby never received the primary's write")
	assert.Positive(t, behind, "received WAL should be ahead of replayed WAL while replay is paused")
	assert.False(t, visible(ctx, standby, 2), "a write is visible on the standby while its replay is paused")

	first, err := replayAge(ctx, admin)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		age, err := replayAge(ctx, admin)
		return err == nil && age > first+0.2
	}, 10*time.Second, 50*time.Millisecond,
		"now() - pg_last_xact_replay_timestamp() does not grow while replay is paused")

	_, err = admin.Exec(ctx, "SELECT pg_wal_replay_resume()")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return visible(ctx, standby, 2) }, 10*time.Second, 50*time.Millisecond,
		"the write did not reach the standby after replay resumed")
}

// onStandby returns replicaURL pointing at dsn's database.
func onStandby(t *testing.T, replicaURL, dsn string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	u, err := url.Parse(replicaURL)
	require.NoError(t, err)
	require.NotEmpty(t, u.Scheme, envReplicaURL+" must be a postgres:// URL, as scripts/replica.sh prints")
	u.Path, u.RawPath = "/"+cfg.Database, ""
	return u.String()
}

// visible reports whether the scratch row id is visible to conn.
func visible(ctx context.Context, conn *pgx.Conn, id int) bool {
	var n int
	err := conn.QueryRow(ctx, "SELECT count(*) FROM engines_scratch WHERE id = $1", id).Scan(&n)
	return err == nil && n == 1
}

// replayAge is the age in seconds of the last transaction the standby replayed.
func replayAge(ctx context.Context, admin *pgx.Conn) (float64, error) {
	var age float64
	err := admin.QueryRow(ctx, "SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8").Scan(&age)
	return age, err
}

// TestRedisAnswersAndBoundsItsMemory talks RESP over a plain TCP connection to the Redis
// of scripts/redis.sh: it answers, and bounds its memory by its own policy (issue 17).
func TestRedisAnswersAndBoundsItsMemory(t *testing.T) {
	u, err := url.Parse(engineURL(t, envRedisURL, "scripts/redis.sh"))
	require.NoError(t, err)
	require.Equal(t, "redis", u.Scheme, envRedisURL+" must be a redis:// URL, as scripts/redis.sh prints")
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	require.NoError(t, err, "connect to Redis")
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	r := bufio.NewReader(conn)

	// An inline command, as redis-cli's simplest form.
	_, err = conn.Write([]byte("PING\r\n"))
	require.NoError(t, err)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "+PONG\r\n", line)

	tests := []struct {
		name  string
		param string
		want  string
	}{
		{name: "evicts the least recently used keys of any kind", param: "maxmemory-policy", want: "allkeys-lru"},
		{name: "at 256 MB", param: "maxmemory", want: strconv.Itoa(256 << 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conn.Write(respCommand("CONFIG", "GET", tt.param))
			require.NoError(t, err)
			got, err := readRESPArray(r)
			require.NoError(t, err)
			assert.Equal(t, []string{tt.param, tt.want}, got)
		})
	}
}

// respCommand encodes args as a RESP array of bulk strings.
func respCommand(args ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return []byte(b.String())
}

// readRESPArray reads one reply that must be an array of bulk strings.
func readRESPArray(r *bufio.Reader) ([]string, error) {
	header, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(header, "*") {
		return nil, fmt.Errorf("not an array reply: %q", header)
	}
	n, err := strconv.Atoi(strings.TrimSpace(header[1:]))
	if err != nil {
		return nil, fmt.Errorf("array length %q: %w", header, err)
	}
	out := make([]string, 0, max(n, 0))
	for range n {
		h, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(h, "$") {
			return nil, fmt.Errorf("not a bulk string: %q", h)
		}
		size, err := strconv.Atoi(strings.TrimSpace(h[1:]))
		if err != nil || size < 0 {
			return nil, fmt.Errorf("bulk string length %q", h)
		}
		buf := make([]byte, size+2) // the string and \r\n
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		out = append(out, string(buf[:size]))
	}
	return out, nil
}
