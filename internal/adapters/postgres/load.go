package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// ErrNotEmpty is returned by Load when the tables already hold data and Replace is off.
var ErrNotEmpty = errors.New("the Data Storage tables are not empty (use --replace to empty them first)")

// LoadOptions tune Load.
type LoadOptions struct {
	// Replace empties the three tables first; without it Load refuses non-empty tables.
	Replace bool
	// Progress, when set, is told how many traces are loaded so far.
	Progress func(done, total int)
	// IndexMemory is maintenance_work_mem for rebuilding the vector index, e.g. "2GB".
	IndexMemory string
	// PasswordFile, when set, holds the password (see Options.PasswordFile).
	PasswordFile string
}

// Load writes incidents into the Data Storage tables (for `contextapi seed` and tests;
// the service never writes): one resource_references row per (namespace, kind, name),
// one action_histories row per resource, and the traces by COPY with their ids kept.
// The HNSW index is dropped before the copy and rebuilt after it, single-threaded
// (parallel HNSW builds overflow a buffer before pgvector 0.8.2).
func Load(ctx context.Context, dsn string, events Source, opts LoadOptions) error {
	cfg, err := connConfig(dsn, opts.PasswordFile)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return translate(ctx, "load: connect", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		return fmt.Errorf("postgres: load: register vector type (is the vector extension installed? run migrate): %w", err)
	}
	if err := prepareTables(ctx, conn, opts.Replace); err != nil {
		return err
	}
	res, months := scan(events)
	if err := ensurePartitions(ctx, conn, months); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `DROP INDEX IF EXISTS idx_rat_embedding_hnsw`); err != nil {
		return translate(ctx, "load: drop vector index", err)
	}
	if err := copyResources(ctx, conn, res); err != nil {
		return err
	}
	if err := copyTraces(ctx, conn, events, res, opts.Progress); err != nil {
		return err
	}
	return finishLoad(ctx, conn, opts.IndexMemory)
}

func prepareTables(ctx context.Context, conn *pgx.Conn, replace bool) error {
	if replace {
		_, err := conn.Exec(ctx, `TRUNCATE resource_action_traces, action_histories, resource_references RESTART IDENTITY CASCADE`)
		return translate(ctx, "load: truncate", err)
	}
	var nonEmpty bool
	err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM resource_action_traces)
		OR EXISTS (SELECT 1 FROM action_histories) OR EXISTS (SELECT 1 FROM resource_references)`).Scan(&nonEmpty)
	if err != nil {
		return translate(ctx, "load: check tables", err)
	}
	if nonEmpty {
		return ErrNotEmpty
	}
	return nil
}

// ensurePartitions creates the named monthly partitions the data falls in, so rows
// land in their month rather than in the DEFAULT partition.
func ensurePartitions(ctx context.Context, conn *pgx.Conn, months map[time.Time]bool) error {
	for m := range months {
		_, err := conn.Exec(ctx, `SELECT contextapi_ensure_monthly_partitions($1::date, $2::date)`, m, m.AddDate(0, 1, 0))
		if err != nil {
			return translate(ctx, "load: partitions", err)
		}
	}
	return nil
}

func finishLoad(ctx context.Context, conn *pgx.Conn, indexMemory string) error {
	if indexMemory == "" {
		indexMemory = "1GB"
	}
	steps := []string{
		`SELECT setval(pg_get_serial_sequence('resource_action_traces', 'id'), GREATEST((SELECT MAX(id) FROM resource_action_traces), 1))`,
		`SELECT setval(pg_get_serial_sequence('action_histories', 'id'), GREATEST((SELECT MAX(id) FROM action_histories), 1))`,
		`SELECT setval(pg_get_serial_sequence('resource_references', 'id'), GREATEST((SELECT MAX(id) FROM resource_references), 1))`,
		`SET max_parallel_maintenance_workers = 0`,
		`SELECT set_config('maintenance_work_mem', $1, false)`,
		// The index migration 000006 defines (a test keeps the two equal).
		`CREATE INDEX IF NOT EXISTS idx_rat_embedding_hnsw ON resource_action_traces
			USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 128)`,
		`ANALYZE resource_references`,
		`ANALYZE action_histories`,
		`ANALYZE resource_action_traces`,
	}
	for _, s := range steps {
		var err error
		if s == steps[4] {
			_, err = conn.Exec(ctx, s, indexMemory)
		} else {
			_, err = conn.Exec(ctx, s)
		}
		if err != nil {
			return translate(ctx, "load: finish", err)
		}
	}
	return nil
}
