package test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/ports/porttest"
	"github.com/contextapi/contextapi/internal/testkit"
)

// A forced shutdown, as the probe found it: SIGTERM with a request stuck behind a lock
// past --shutdown-timeout. The request gets a 503 problem before its connection closes,
// and the process exits 0, because the shutdown was asked for.
func TestForcedShutdownAnswers503AndExits0(t *testing.T) {
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(porttest.Fixture(porttest.FixtureNow)), postgres.LoadOptions{}))
	bin := buildBinary(t)
	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--drain-delay", "0s", "--shutdown-timeout", "1s",
		"--statement-timeout", "30s", "--cache-enabled=false")
	cmd.Env = append(cleanEnv(), "CONTEXTAPI_DATABASE_URL="+dsn)
	logs := &testkit.Buffer{}
	cmd.Stderr = logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/health/ready")
		if err != nil {
			return false
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)

	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(context.Background()) }()
	_, err = tx.Exec(t.Context(), "LOCK TABLE resource_action_traces IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)

	type answer struct {
		status int
		ctype  string
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		res, err := (&http.Client{Timeout: 20 * time.Second}).Get("http://" + addr + "/api/v1/incidents?limit=2")
		if err != nil {
			got <- answer{err: err}
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		got <- answer{status: res.StatusCode, ctype: res.Header.Get("Content-Type")}
	}()
	// Another session watches: inside the locking transaction pg_stat_activity would
	// show the snapshot of its first read, taken before the request arrived.
	watch, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer watch.Close(context.Background())
	ok := assert.Eventually(t, func() bool {
		var waiting int
		err := watch.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = 'contextapi' AND wait_event_type = 'Lock' AND datname = current_database()`).Scan(&waiting)
		return err == nil && waiting > 0
	}, 10*time.Second, 20*time.Millisecond, "the request waits on the lock: %s", activity(t, watch))
	if !ok {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		time.Sleep(time.Second)
		t.Fatalf("server state:\n%s", logs.String())
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	a := <-got
	require.NoError(t, a.err, "an answer, not a closed connection")
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.Equal(t, "application/problem+json", a.ctype)
	assert.NoError(t, cmd.Wait(), "exit status 0")
}

// activity lists the database's sessions, for a failure message.
func activity(t *testing.T, conn *pgx.Conn) string {
	rows, err := conn.Query(t.Context(), `SELECT application_name, state, coalesce(wait_event_type, ''), left(query, 60)
		FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	out := ""
	for rows.Next() {
		var app, state, wait, query string
		_ = rows.Scan(&app, &state, &wait, &query)
		out += fmt.Sprintf("\n  %s %s %s %q", app, state, wait, query)
	}
	return out
}
