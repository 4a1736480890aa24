package postgres

import (
	"cmp"
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/dataset/synthetic"
)

// migrationWaitCases are the migrations that touch the traces table, each with how to put
// the database back in the state before it (the version is also marked pending), in an
// order that keeps the slow HNSW builds last. old-000006 is 000006 as it was: a plain DROP
// and CREATE INDEX in one transaction.
var migrationWaitCases = []struct {
	name    string
	version int64
	reset   []string
}{
	{"000001", 1, []string{"DROP INDEX IF EXISTS idx_rat_resource_action_time", "DROP INDEX IF EXISTS idx_rat_effectiveness_analysis",
		"DROP INDEX IF EXISTS idx_rat_effectiveness_due"}}, // a database at upstream 003
	{"000002", 2, []string{"DROP INDEX IF EXISTS idx_rat_alert_fingerprint", "DROP INDEX IF EXISTS idx_rat_cluster_name",
		"DROP INDEX IF EXISTS idx_rat_environment", "DROP INDEX IF EXISTS idx_rat_context_filters"}},
	{"000003", 3, []string{`DO $$ DECLARE next text := to_char(now() AT TIME ZONE 'UTC' + interval '1 month', '"resource_action_traces_y"YYYY"m"MM');
		BEGIN IF to_regclass(next) IS NOT NULL THEN EXECUTE format('DROP TABLE %I', next); END IF; END $$`}}, // next month's, empty
	{"000005", 5, []string{"DROP INDEX IF EXISTS idx_rat_timeline"}},
	{"000007", 7, []string{"DROP INDEX IF EXISTS idx_rat_environment_timeline", "DROP INDEX IF EXISTS idx_rat_cluster_timeline"}},
	{"000004", 4, []string{"DROP INDEX IF EXISTS idx_rat_embedding_hnsw"}},
	{"000006", 6, []string{"DROP INDEX IF EXISTS idx_rat_embedding_hnsw", "SET max_parallel_maintenance_workers = 0",
		"SET maintenance_work_mem = '1GB'", `CREATE INDEX idx_rat_embedding_hnsw ON resource_action_traces
			USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`}},
	{"old-000006", 0, nil},
}

// BenchmarkMigrationInsertWait measures what Data Storage would live through while each
// migration that touches the traces table runs: a writer inserts traces, one row per
// INSERT through the parent table, one every CONTEXTAPI_MIGRATE_BENCH_INTERVAL (10ms, so
// that the table grows by a few percent at most), and the longest any insert overlapping
// the migration took is reported (max-insert-wait-ms), with the migration's duration.
//
//	CONTEXTAPI_TEST_DATABASE_URL=... go test -run '^$' -bench MigrationInsertWait -benchtime 1x ./internal/adapters/postgres/
//
// By default it seeds a database of its own with CONTEXTAPI_MIGRATE_BENCH_ROWS synthetic
// traces (10,000: a run of a minute or so). CONTEXTAPI_MIGRATE_BENCH_URL names a database seeded
// beforehand instead (contextapi seed --dataset synthetic --rows 1000000 --seed 1): it
// drops and rebuilds that database's indexes, and leaves it migrated.
func BenchmarkMigrationInsertWait(b *testing.B) {
	dsn := os.Getenv("CONTEXTAPI_MIGRATE_BENCH_URL")
	if dsn == "" {
		pg.Require(b)
		dsn = pg.NewDatabase(b)
		rows, err := strconv.Atoi(cmp.Or(os.Getenv("CONTEXTAPI_MIGRATE_BENCH_ROWS"), "10000"))
		require.NoError(b, err)
		require.NoError(b, Load(b.Context(), dsn, synthetic.Generate(rows, 1, time.Now()), LoadOptions{}))
	}
	interval, err := time.ParseDuration(cmp.Or(os.Getenv("CONTEXTAPI_MIGRATE_BENCH_INTERVAL"), "10ms"))
	require.NoError(b, err)
	m, err := newMigrator(dsn, MigrateOptions{})
	require.NoError(b, err)
	defer m.close()
	admin := connect(b, dsn)
	for _, tc := range migrationWaitCases {
		b.Run(tc.name, func(b *testing.B) {
			var all []time.Duration // every iteration's overlapping inserts
			for range b.N {
				b.StopTimer()
				execAll(b, admin, tc.reset...)
				if tc.version > 0 {
					markPending(b, admin, tc.version)
				}
				w := startWriter(b, dsn, interval)
				b.StartTimer()
				start := time.Now()
				if tc.version > 0 {
					_, err = m.provider.ApplyVersion(b.Context(), tc.version, true)
				} else {
					err = oldRebuild(b.Context(), dsn)
				}
				took := time.Since(start)
				b.StopTimer()
				require.NoError(b, err)
				waits, err := w.stop(start, start.Add(took))
				require.NoError(b, err)
				all = append(all, waits...)
			}
			slices.Sort(all)
			if len(all) > 0 { // none when the migrations were quicker than the writer's interval
				b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max-insert-wait-ms")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-insert-ms")
			}
			b.ReportMetric(float64(len(all)), "inserts")
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "migration-s")
		})
	}
}

// oldRebuild is 000006 as it was before the runner: it holds a SHARE lock on the traces
// table for the whole build.
func oldRebuild(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, s := range []string{"SET LOCAL max_parallel_maintenance_workers = 0", "SET LOCAL maintenance_work_mem = '1GB'",
			"DROP INDEX IF EXISTS idx_rat_embedding_hnsw", `CREATE INDEX idx_rat_embedding_hnsw ON resource_action_traces
				USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 128)`} {
			if _, err := tx.Exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertTimer is a writer running in the background, timing each INSERT.
type insertTimer struct {
	quit  chan struct{}
	done  chan struct{}
	times []insertTime
	err   error
}

type insertTime struct {
	start time.Time
	took  time.Duration
}

func startWriter(b *testing.B, dsn string, interval time.Duration) *insertTimer {
	conn := connect(b, dsn)
	w := newWriter(b, conn)
	t := &insertTimer{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-t.quit:
				return
			case <-tick.C:
			}
			start := time.Now()
			if t.err = w.insert(b.Context(), conn); t.err != nil {
				return
			}
			t.times = append(t.times, insertTime{start, time.Since(start)})
		}
	}()
	return t
}

// stop ends the writer, once its last insert is done, and returns how long each insert
// that overlapped [from, to] took.
func (t *insertTimer) stop(from, to time.Time) ([]time.Duration, error) {
	close(t.quit)
	<-t.done
	var waits []time.Duration
	for _, it := range t.times {
		if !it.start.After(to) && !it.start.Add(it.took).Before(from) {
			waits = append(waits, it.took)
		}
	}
	return waits, t.err
}
