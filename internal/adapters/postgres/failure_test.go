package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// lockTraces holds an exclusive lock on the traces table from another session until
// the test ends, so every read blocks: a stand-in for a slow database.
func lockTraces(t *testing.T, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	tx, err := conn.Begin(t.Context())
	require.NoError(t, err)
	_, err = tx.Exec(t.Context(), "LOCK TABLE resource_action_traces IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = tx.Rollback(context.Background())
		_ = conn.Close(context.Background())
	})
}

// activeQueries counts the service's statements the server is still running.
func activeQueries(t *testing.T, dsn string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'contextapi' AND state = 'active' AND datname = current_database()`).Scan(&n))
	return n
}

// R6: a caller that goes away while its list query waits on a lock takes the query with
// it: the server stops running it within a second.
func TestR06CancelledRequestCancelsTheQueryOnTheServer(t *testing.T) {
	rec := reliability.Target(t, "R6", "cancels the context of a list query that waits on a table lock, "+
		"then watches pg_stat_activity until the query is gone")
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(porttest.Fixture(porttest.FixtureNow)), LoadOptions{}))
	repo, err := Open(dsn, Options{StatementTimeout: time.Minute})
	require.NoError(t, err)
	defer repo.Close()
	lockTraces(t, dsn)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, _, err := repo.List(ctx, domain.ListQuery{Limit: 10})
		done <- err
	}()
	require.Eventually(t, func() bool { return activeQueries(t, dsn) >= 1 }, 5*time.Second, 20*time.Millisecond,
		"the list query should be waiting on the lock")
	cancel()
	cancelled := time.Now()
	select {
	case err := <-done:
		rec.Figure("List returns after the cancel", "%v", time.Since(cancelled).Round(100*time.Microsecond))
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, domain.ErrUnavailable, "a client that left is not an outage")
	case <-time.After(2 * time.Second):
		t.Fatal("List did not return after its context was cancelled")
	}
	if assert.Eventually(t, func() bool { return activeQueries(t, dsn) == 0 }, time.Second, 20*time.Millisecond,
		"the server must stop running the cancelled query within a second") {
		rec.Figure("query gone from pg_stat_activity after", "%v (target ≤ 1s)", time.Since(cancelled).Round(time.Millisecond))
	} else {
		rec.Figure("query gone from pg_stat_activity after", "still there after %v", time.Since(cancelled).Round(time.Millisecond))
	}
}

func TestStatementTimeoutIsUnavailable(t *testing.T) {
	dsn := newDatabase(t)
	repo, err := Open(dsn, Options{StatementTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	defer repo.Close()
	require.NoError(t, repo.Ping(t.Context())) // connect before the lock
	lockTraces(t, dsn)

	start := time.Now()
	_, _, err = repo.Get(t.Context(), domain.GetQuery{ID: 1})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Eventually(t, func() bool { return activeQueries(t, dsn) == 0 }, time.Second, 20*time.Millisecond)
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	repo, err := Open("postgres://contextapi:secret@127.0.0.1:1/none?connect_timeout=2", Options{})
	require.NoError(t, err, "Open connects lazily")
	defer repo.Close()
	ctx := t.Context()
	_, _, err = repo.List(ctx, domain.ListQuery{Limit: 1})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.ErrorIs(t, repo.Ping(ctx), domain.ErrUnavailable)
	_, _, err = repo.Aggregate(ctx, domain.AggregateQuery{})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.NotContains(t, err.Error(), "secret")
}

func TestEveryStatementIsCounted(t *testing.T) {
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(porttest.Fixture(porttest.FixtureNow)), LoadOptions{}))
	metrics := NewMetrics(nil)
	repo, err := Open(dsn, Options{Metrics: metrics})
	require.NoError(t, err)
	defer repo.Close()
	ctx := t.Context()
	_, _, err = repo.List(ctx, domain.ListQuery{Limit: 5})
	require.NoError(t, err)
	_, _, err = repo.Get(ctx, domain.GetQuery{ID: 3})
	require.NoError(t, err)
	_, _, err = repo.Get(ctx, domain.GetQuery{ID: 999_999})
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, _, err = repo.Aggregate(ctx, domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimSeverity}})
	require.NoError(t, err)
	require.NoError(t, repo.Ping(ctx))
	assert.InDelta(t, 1, metrics.Queries("list"), 0)
	assert.InDelta(t, 1, metrics.Queries("count"), 0)
	assert.InDelta(t, 2, metrics.Queries("get"), 0)
	assert.InDelta(t, 1, metrics.Queries("aggregate"), 0)
	assert.InDelta(t, 1, metrics.Queries("ping"), 0)
}

func TestTraceInAMonthWithoutNamedPartition(t *testing.T) {
	dsn := newDatabase(t)
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(t.Context(), `
		INSERT INTO resource_references (id, resource_uid, api_version, kind, name, namespace) VALUES (1, 'u-1', 'v1', 'Pod', 'p', 'ns');
		INSERT INTO action_histories (id, resource_id) VALUES (1, 1);
		INSERT INTO resource_action_traces (id, action_history_id, action_id, action_timestamp, alert_name, alert_severity,
			model_used, model_confidence, action_type) VALUES (7, 1, 'rr-7', '2019-03-01T10:00:00Z', 'Old', 'info', 'gpt-4', 0.9, 'restart_pod')`)
	require.NoError(t, err)
	var partition string
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT tableoid::regclass::text FROM resource_action_traces WHERE id = 7`).Scan(&partition))
	assert.Equal(t, "resource_action_traces_default", partition)

	repo, err := Open(dsn, Options{})
	require.NoError(t, err)
	defer repo.Close()
	e, _, err := repo.Get(t.Context(), domain.GetQuery{ID: 7, IncludeEmbedding: true})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2019, 3, 1, 10, 0, 0, 0, time.UTC), e.StartTime)
	assert.Equal(t, "pending", string(e.Phase()), "execution_status defaults to pending")
	assert.Nil(t, e.Embedding)
	assert.Nil(t, e.Metadata)
}

func TestLoadRefusesNonEmptyTablesUnlessReplacing(t *testing.T) {
	dsn := newDatabase(t)
	events := Events(porttest.Fixture(porttest.FixtureNow))
	require.NoError(t, Load(t.Context(), dsn, events, LoadOptions{}))
	err := Load(t.Context(), dsn, events, LoadOptions{})
	assert.True(t, errors.Is(err, ErrNotEmpty), "got %v", err)
	require.NoError(t, Load(t.Context(), dsn, events[:3], LoadOptions{Replace: true}))
	repo, err := Open(dsn, Options{})
	require.NoError(t, err)
	defer repo.Close()
	page, _, err := repo.List(t.Context(), domain.ListQuery{Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, int64(3), page.Total)
}

// A repository closed while requests still arrive (the process shutting down) is an
// outage to its callers, not an internal error.
func TestAClosedRepositoryIsUnavailable(t *testing.T) {
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(porttest.Fixture(porttest.FixtureNow)), LoadOptions{}))
	repo, err := Open(dsn, Options{})
	require.NoError(t, err)
	_, _, err = repo.List(t.Context(), domain.ListQuery{Limit: 3})
	require.NoError(t, err, "warm: the schema is known and the pool has connections")
	require.NoError(t, repo.Close())

	_, _, err = repo.List(t.Context(), domain.ListQuery{Limit: 3})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	_, _, err = repo.Get(t.Context(), domain.GetQuery{ID: 1})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	_, _, err = repo.Aggregate(t.Context(), domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimStatus}})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.ErrorIs(t, repo.Ping(t.Context()), domain.ErrUnavailable)
}
