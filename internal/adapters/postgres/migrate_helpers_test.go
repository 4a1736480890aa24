package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/migrations"
)

// connect opens a session on dsn, closed when tb ends.
func connect(tb testing.TB, dsn string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(tb.Context(), dsn)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// execAll runs statements one by one.
func execAll(tb testing.TB, conn *pgx.Conn, stmts ...string) {
	tb.Helper()
	for _, s := range stmts {
		_, err := conn.Exec(tb.Context(), s)
		require.NoError(tb, err, s)
	}
}

// markPending deletes the record of migrations, so that Migrate applies them again.
func markPending(tb testing.TB, conn *pgx.Conn, versions ...int64) {
	tb.Helper()
	_, err := conn.Exec(tb.Context(), `DELETE FROM `+migrationsTable+` WHERE version_id = ANY($1)`, versions)
	require.NoError(tb, err)
}

// migrationIndex returns the CREATE INDEX the migrations make of name (the last one).
func migrationIndex(tb testing.TB, name string) indexDef {
	tb.Helper()
	files, err := readMigrations(migrations.FS)
	require.NoError(tb, err)
	var found *indexDef
	for _, f := range files {
		for _, a := range f.up {
			if a.index != nil && a.index.name == name {
				found = a.index
			}
		}
	}
	require.NotNil(tb, found, name)
	return *found
}

// plainCreate is the blocking CREATE INDEX of d on the whole traces table, as the
// migrations ran before the runner.
func plainCreate(d indexDef) string {
	return createSQL(d, d.name, tracesTable, "")
}

// partitionNames lists the partitions of the traces table by name.
func partitionNames(tb testing.TB, conn *pgx.Conn) []string {
	tb.Helper()
	rows, err := conn.Query(tb.Context(), `SELECT inhrelid::regclass::text FROM pg_inherits
		WHERE inhparent = 'resource_action_traces'::regclass ORDER BY 1`)
	require.NoError(tb, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(tb, err)
	return names
}

// partitionIndexes checks that index is complete, valid with a valid index attached on
// every partition, and returns those by partition name.
func partitionIndexes(tb testing.TB, conn *pgx.Conn, name string) map[string]index {
	tb.Helper()
	c, err := loadCatalogue(tb.Context(), conn)
	require.NoError(tb, err)
	parent := c.indexes[name]
	require.NotNil(tb, parent, name)
	require.True(tb, parent.valid, "%s is valid", name)
	out := map[string]index{}
	for _, p := range c.partitions {
		ch := c.childOn(parent, p.oid)
		require.NotNil(tb, ch, "%s has an index on %s", name, p.name)
		require.True(tb, ch.valid, "%s is valid", ch.name)
		out[p.name] = *ch
	}
	return out
}

// writer inserts traces as Data Storage does, one row per INSERT through the parent.
type writer struct {
	historyID int64
}

// newWriter adds the resource and history rows the writer's traces point at.
func newWriter(tb testing.TB, conn *pgx.Conn) *writer {
	tb.Helper()
	w := &writer{}
	require.NoError(tb, conn.QueryRow(tb.Context(), `WITH r AS (
			INSERT INTO resource_references (resource_uid, api_version, kind, name, namespace)
			VALUES (gen_random_uuid()::text, 'v1', 'Pod', 'writer-' || gen_random_uuid(), 'writer') RETURNING id)
		INSERT INTO action_histories (resource_id) SELECT id FROM r RETURNING id`).Scan(&w.historyID))
	return w
}

// insert writes one trace dated now, with an embedding, so that every index of the
// table has an entry to add.
func (w *writer) insert(ctx context.Context, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}) error {
	_, err := q.Exec(ctx, `INSERT INTO resource_action_traces (action_history_id, action_id, action_timestamp,
			alert_name, alert_severity, model_used, model_confidence, action_type, cluster_name, environment, embedding)
		VALUES ($1, 'writer-' || gen_random_uuid(), now(), 'HighMemory', 'warning', 'gpt', 0.9, 'restart', 'c1', 'test',
			(SELECT array_agg(random())::vector FROM generate_series(1, 384)))`, w.historyID)
	return err
}

// catalogueDump describes the schema and the migrations record, to compare before and after.
func catalogueDump(tb testing.TB, conn *pgx.Conn) string {
	tb.Helper()
	var dump string
	require.NoError(tb, conn.QueryRow(tb.Context(), `SELECT COALESCE(string_agg(format('%s %s %s %s %s',
			c.relname, c.relkind, c.oid, x.indisvalid, c.reloptions), E'\n' ORDER BY c.relname), '')
		FROM pg_class c LEFT JOIN pg_index x ON x.indexrelid = c.oid WHERE c.relnamespace = 'public'::regnamespace`).Scan(&dump))
	var recorded bool
	require.NoError(tb, conn.QueryRow(tb.Context(), `SELECT to_regclass($1) IS NOT NULL`, migrationsTable).Scan(&recorded))
	if recorded {
		var versions string
		require.NoError(tb, conn.QueryRow(tb.Context(), `SELECT COALESCE(string_agg(version_id::text, ',' ORDER BY id), '') FROM `+migrationsTable).Scan(&versions))
		dump += "\n" + versions
	}
	return dump
}

// suffix is what partitionIndexName appends for a partition.
func suffix(partition string) string {
	return strings.TrimPrefix(partition, tracesTable+"_")
}
