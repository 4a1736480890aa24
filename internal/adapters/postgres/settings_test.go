package postgres

import (
	"bytes"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// setting reads a setting as the repository's own statements see it.
func setting(t *testing.T, repo *Repository, name string) string {
	t.Helper()
	var v string
	require.NoError(t, repo.queryRow(t.Context(), "test", "SELECT current_setting($1)", []any{name}, &v))
	return v
}

// TestStatementsCarryTheirSettings proves every statement runs with the service's
// settings, and that none of them is left on the session, where a transaction pooler
// would hand it to another client.
func TestStatementsCarryTheirSettings(t *testing.T) {
	bothPaths(t, func(t *testing.T, pooled bool) { statementsCarryTheirSettings(t, openLoadedVia(t, nil, pooled)) })
}

func statementsCarryTheirSettings(t *testing.T, repo *Repository) {
	assert.Equal(t, "100", setting(t, repo, "hnsw.ef_search"))
	assert.Equal(t, "relaxed_order", setting(t, repo, "hnsw.iterative_scan"))
	assert.Equal(t, "5s", setting(t, repo, "statement_timeout"))
	assert.Equal(t, "on", setting(t, repo, "transaction_read_only"))

	var timeout, readOnly string
	require.NoError(t, repo.pools.current().QueryRow(t.Context(), "SELECT current_setting('statement_timeout'), current_setting('transaction_read_only')").Scan(&timeout, &readOnly))
	assert.Equal(t, "0", timeout, "the session itself keeps the server's default")
	assert.Equal(t, "off", readOnly)
}

// bothPaths runs f on a database reached directly and through PgBouncer.
func bothPaths(t *testing.T, f func(t *testing.T, pooled bool)) {
	t.Run("direct", func(t *testing.T) { f(t, false) })
	t.Run("pgbouncer", func(t *testing.T) { f(t, true) })
}

// TestServingSessionsAreReadOnly: a write sent the way the service sends statements
// fails, whatever the role (a superuser here) may do, and through a pooler too.
func TestServingSessionsAreReadOnly(t *testing.T) {
	bothPaths(t, func(t *testing.T, pooled bool) {
		repo := openLoadedVia(t, nil, pooled)
		for _, write := range []string{
			"INSERT INTO resource_references (resource_uid, api_version, kind, name) VALUES ('u', 'v1', 'Pod', 'p') RETURNING 1",
			"WITH gone AS (DELETE FROM resource_action_traces RETURNING 1) SELECT count(*) FROM gone",
			"SELECT 1 FROM (SELECT set_config('transaction_read_only', 'off', true)) AS t",
		} {
			var n int
			err := repo.queryRow(t.Context(), "test", write, nil, &n)
			var pgErr *pgconn.PgError
			require.True(t, errors.As(err, &pgErr), "%s must fail: %v", write, err)
			assert.Contains(t, []string{"25006", "25001"}, pgErr.Code, "read_only_sql_transaction (or no way back to read-write): %s", write)
		}
	})
}

func TestStatementTimeoutIsSetPerStatement(t *testing.T) {
	bothPaths(t, func(t *testing.T, pooled bool) {
		dsn := newDatabase(t)
		if pooled {
			dsn = pg.ThroughPooler(t, dsn)
		}
		repo, err := Open(dsn, Options{StatementTimeout: 150 * time.Millisecond})
		require.NoError(t, err)
		defer repo.Close()
		var v string
		err = repo.queryRow(t.Context(), "test", "SELECT pg_sleep(1)::text", nil, &v)
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "the statement must be cancelled: %v", err)
		assert.Equal(t, "57014", pgErr.Code)
	})
}

// With no ef_search given, statements take it from the table's analysed size.
func TestEfSearchFollowsTheTablesSize(t *testing.T) {
	assert.Equal(t, 100, EfSearchFor(100_000))
	assert.Equal(t, 200, EfSearchFor(1_000_000))

	base := make([]float32, domain.EmbeddingDimensions)
	base[0] = 1
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(manyIncidents(50, base)), LoadOptions{}))
	efOf := func(opts Options) string {
		repo, err := Open(dsn, opts)
		require.NoError(t, err)
		defer repo.Close()
		_, _, err = repo.Search(t.Context(), domain.SemanticQuery{Embedding: base, Limit: 1})
		require.NoError(t, err)
		return setting(t, repo, "hnsw.ef_search")
	}
	over40 := func(rows int64) int {
		if rows > 40 {
			return 321
		}
		return 100
	}
	under := func(rows int64) int {
		if rows > 60 {
			return 321
		}
		return 100
	}
	assert.Equal(t, "321", efOf(Options{efSearchRule: over40}), "50 analysed rows are over 40")
	assert.Equal(t, "100", efOf(Options{efSearchRule: under}))
	assert.Equal(t, "77", efOf(Options{EfSearch: 77, efSearchRule: over40}), "a given value wins")
}

// TestAPoolerThatLosesPreparedStatements: PgBouncer 1.18 in transaction mode runs each
// transaction on whichever server session is free, so a statement prepared through one
// client connection is already known to the session the next one lands on. The
// repository notices, sends the statement again unnamed, and stays unnamed: no error
// reaches the caller.
func TestAPoolerThatLosesPreparedStatements(t *testing.T) {
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(porttest.Fixture(porttest.FixtureNow)), LoadOptions{}))
	var logs syncBuffer
	repo, err := Open(pg.ThroughPooler(t, dsn), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	defer repo.Close()
	q := domain.ListQuery{Limit: 3}
	_, _, err = repo.List(t.Context(), q) // page and total at once, on two client connections
	require.NoError(t, err)

	// Hold the pool's connections, so the next statements open new client connections
	// whose first statements PgBouncer hands the session that prepared them already.
	var held []*pgxpool.Conn
	for range 2 {
		c, err := repo.pools.current().Acquire(t.Context())
		require.NoError(t, err)
		held = append(held, c)
	}
	for range 3 {
		_, _, err = repo.List(t.Context(), q)
		require.NoError(t, err, "the statement is sent again, unnamed")
	}
	for _, c := range held {
		c.Release()
	}
	assert.True(t, repo.pools.unnamed.Load())
	assert.Contains(t, logs.String(), "a connection pooler lost a prepared statement")
	_, _, err = repo.Search(t.Context(), domain.SemanticQuery{Embedding: porttest.Fixture(porttest.FixtureNow)[0].Embedding, Limit: 3, Threshold: 0.5})
	assert.NoError(t, err)
}

// syncBuffer is a bytes.Buffer safe for the pool's goroutines and the test's.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }
