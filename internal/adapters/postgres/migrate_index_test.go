package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// The proof that a migration's index build does not queue writers behind itself. A
// first session holds an uncommitted INSERT into the traces table; the build starts and
// must wait for it (CREATE INDEX for its SHARE lock, CONCURRENTLY for older
// transactions); meanwhile a third session's INSERT, with a lock_timeout of 2s, must get
// in. The plain CREATE INDEX the migrations used to run fails that; migrate passes it.
func TestIndexBuildsDoNotQueueWriters(t *testing.T) {
	for _, tc := range []struct {
		name       string
		build      func(ctx context.Context, dsn string) error
		wantInsert bool
	}{
		{
			name: "plain CREATE INDEX, as before",
			build: func(ctx context.Context, dsn string) error {
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil {
					return err
				}
				defer conn.Close(context.Background())
				_, err = conn.Exec(ctx, plainCreate(migrationIndex(t, "idx_rat_cluster_timeline")))
				return err
			},
		},
		{
			name: "migrate",
			build: func(ctx context.Context, dsn string) error {
				applied, err := Migrate(ctx, dsn, MigrateOptions{})
				if err == nil && len(applied) != 1 {
					err = fmt.Errorf("applied %v", applied)
				}
				return err
			},
			wantInsert: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			dsn, admin, w, first := writerMidTransaction(t)
			done := make(chan error, 1)
			go func() { done <- tc.build(ctx, dsn) }()
			require.Eventually(t, func() bool { // the build waits for the first session
				var waiting bool
				err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting)
				return err == nil && waiting
			}, time.Minute, 5*time.Millisecond)

			third := connect(t, dsn)
			execAll(t, third, "SET lock_timeout = '2s'")
			err := w.insert(ctx, third)
			if tc.wantInsert {
				require.NoError(t, err, "an insert got through while the build waited")
			} else {
				var pgErr *pgconn.PgError
				require.ErrorAs(t, err, &pgErr, "the insert queued behind the build")
				assert.Equal(t, "55P03", pgErr.Code)
			}
			select {
			case err := <-done:
				t.Fatalf("the build ended while the first transaction was open: %v", err)
			default:
			}

			require.NoError(t, first.Commit(ctx))
			require.NoError(t, <-done)
			partitionIndexes(t, admin, "idx_rat_cluster_timeline")
		})
	}
}

// With a writer's transaction open throughout, the migration gives up after its retries
// and says why, leaving no half-made index behind.
func TestMigrateGivesUpWhenALockStaysTaken(t *testing.T) {
	ctx := t.Context()
	dsn, admin, _, first := writerMidTransaction(t)
	before := catalogueDump(t, admin)

	_, err := Migrate(ctx, dsn, MigrateOptions{LockTimeout: 20 * time.Millisecond, LockRetries: 2})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "000007_environment_and_cluster_timelines.sql: index idx_rat_cluster_timeline: gave up after 3 attempts")
	assert.Contains(t, err.Error(), "lock timeout")
	require.NoError(t, first.Rollback(ctx))
	assert.Equal(t, before, catalogueDump(t, admin))
}

// writerMidTransaction prepares a database where 000007 is pending, its index
// idx_rat_cluster_timeline missing, and a writer's transaction is open with an
// uncommitted INSERT into the traces table.
func writerMidTransaction(t *testing.T) (string, *pgx.Conn, *writer, pgx.Tx) {
	t.Helper()
	dsn := newDatabase(t)
	admin := connect(t, dsn)
	w := newWriter(t, admin)
	execAll(t, admin, "DROP INDEX idx_rat_cluster_timeline")
	markPending(t, admin, 7)
	first, err := connect(t, dsn).Begin(t.Context())
	require.NoError(t, err)
	require.NoError(t, w.insert(t.Context(), first))
	return dsn, admin, w, first
}

// An interrupted build is picked up where it stopped: our index left invalid by a
// cancelled CREATE INDEX CONCURRENTLY is dropped and built again, a valid one left
// unattached is attached, an attached one found invalid is rebuilt; the parent ends valid.
func TestMigrateResumesAnInterruptedBuild(t *testing.T) {
	d := migrationIndex(t, "idx_rat_cluster_timeline")
	for _, tc := range []struct {
		name  string
		setup func(defaultPart, month string) []string
		// rebuilt and kept: partitions whose index must be new, and must be the same.
		rebuilt, kept func(defaultPart, month string) []string
	}{
		{
			name: "invalid and unattached indexes of ours",
			setup: func(defaultPart, month string) []string {
				return []string{
					"DROP INDEX idx_rat_cluster_timeline",
					createSQL(d, d.name, "ONLY "+tracesTable, ""),
					createSQL(d, "idx_rat_cluster_timeline_default", defaultPart, ""),
					"UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'idx_rat_cluster_timeline_default'::regclass",
					createSQL(d, "idx_rat_cluster_timeline_"+suffix(month), month, ""),
				}
			},
			rebuilt: func(defaultPart, _ string) []string { return []string{defaultPart} },
			kept:    func(_, month string) []string { return []string{month} },
		},
		{
			name: "an attached index found invalid, and its parent",
			setup: func(string, string) []string {
				return []string{`UPDATE pg_index SET indisvalid = false
					WHERE indexrelid IN ('idx_rat_cluster_timeline_default'::regclass, 'idx_rat_cluster_timeline'::regclass)`}
			},
			rebuilt: func(defaultPart, _ string) []string { return []string{defaultPart} },
			kept:    func(_, month string) []string { return []string{month} },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := newDatabase(t)
			admin := connect(t, dsn)
			parts := partitionNames(t, admin)
			defaultPart, month := parts[0], parts[1]
			require.Equal(t, "resource_action_traces_default", defaultPart)
			execAll(t, admin, tc.setup(defaultPart, month)...)
			before := map[string]uint32{}
			for _, name := range []string{"idx_rat_cluster_timeline_default", "idx_rat_cluster_timeline_" + suffix(month)} {
				var oid uint32
				require.NoError(t, admin.QueryRow(t.Context(), `SELECT $1::regclass::oid`, name).Scan(&oid))
				before[name] = oid
			}
			markPending(t, admin, 7)

			applied, err := Migrate(t.Context(), dsn, MigrateOptions{})
			require.NoError(t, err)
			assert.Equal(t, []string{"000007_environment_and_cluster_timelines.sql"}, applied)
			after := partitionIndexes(t, admin, "idx_rat_cluster_timeline")
			for _, p := range tc.rebuilt(defaultPart, month) {
				assert.NotEqual(t, before["idx_rat_cluster_timeline_"+suffix(p)], after[p].oid, "%s rebuilt", p)
			}
			for _, p := range tc.kept(defaultPart, month) {
				assert.Equal(t, before["idx_rat_cluster_timeline_"+suffix(p)], after[p].oid, "%s kept", p)
			}
		})
	}
}

// 000006 on a database whose vector index has the old options: the new index is built
// beside it (here resuming a replacement an interrupted run left), swapped in under the
// old names, and a second run rebuilds nothing.
func TestMigrateRebuildsTheVectorIndexBesideTheOld(t *testing.T) {
	dsn := newDatabase(t)
	base := make([]float32, domain.EmbeddingDimensions)
	base[0] = 1
	require.NoError(t, Load(t.Context(), dsn, Events(manyIncidents(30, base)), LoadOptions{}))
	admin := connect(t, dsn)
	old := migrationIndex(t, "idx_rat_embedding_hnsw")
	old.def = "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
	parts := partitionNames(t, admin)
	execAll(t, admin, "DROP INDEX idx_rat_embedding_hnsw", plainCreate(old),
		createSQL(migrationIndex(t, "idx_rat_embedding_hnsw"), "idx_rat_embedding_hnsw_new", "ONLY "+tracesTable, ""),
		createSQL(old, "idx_rat_embedding_hnsw_new_"+suffix(parts[1]), parts[1], ""),
		"UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'idx_rat_embedding_hnsw_new_"+suffix(parts[1])+"'::regclass")
	markPending(t, admin, 6, 7)

	applied, err := Migrate(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"000006_hnsw_ef_construction_128.sql", "000007_environment_and_cluster_timelines.sql"}, applied)
	rebuilt := partitionIndexes(t, admin, "idx_rat_embedding_hnsw")
	for p, ix := range rebuilt {
		assert.Equal(t, "idx_rat_embedding_hnsw_"+suffix(p), ix.name)
		assert.Equal(t, []string{"ef_construction=128", "m=16"}, ix.options)
	}
	var def string
	var leftovers int
	require.NoError(t, admin.QueryRow(t.Context(), `SELECT pg_get_indexdef('idx_rat_embedding_hnsw'::regclass),
		(SELECT count(*) FROM pg_class WHERE relname LIKE 'idx_rat_embedding_hnsw_new%')`).Scan(&def, &leftovers))
	assert.Contains(t, def, "ef_construction='128'")
	assert.Zero(t, leftovers)

	markPending(t, admin, 6, 7)
	_, err = Migrate(t.Context(), dsn, MigrateOptions{})
	require.NoError(t, err)
	assert.Equal(t, rebuilt, partitionIndexes(t, admin, "idx_rat_embedding_hnsw"), "nothing rebuilt")
}
