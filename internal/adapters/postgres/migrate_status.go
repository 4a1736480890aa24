package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextapi/contextapi/migrations"
)

// MigrationStatus is the state of one migration of migrations/ in a database.
type MigrationStatus struct {
	// Name is the file's name, e.g. 000005_trace_timeline_index.sql.
	Name    string
	Version int64
	Applied bool
	// AppliedAt is when it was recorded as applied (the server's clock); zero if pending.
	AppliedAt time.Time
}

// MigrateStatus lists every migration with whether the database has applied it. It
// only reads, in a read-only transaction: it neither creates the migrations table nor
// waits for the advisory lock of a migration under way.
func MigrateStatus(ctx context.Context, dsn string, opts MigrateOptions) ([]MigrationStatus, error) {
	r, err := newRunner(dsn, opts)
	if err != nil {
		return nil, err
	}
	var out []MigrationStatus
	err = r.readOnly(ctx, func(tx pgx.Tx, files []migrationFile) error {
		var err error
		out, err = status(ctx, tx, files)
		return err
	})
	return out, err
}

// readOnly runs fn in a read-only transaction of a migration session.
func (r *runner) readOnly(ctx context.Context, fn func(pgx.Tx, []migrationFile) error) error {
	files, err := readMigrations(migrations.FS)
	if err != nil {
		return err
	}
	conn, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	err = pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error { return fn(tx, files) })
	return translate(ctx, "migrate", err)
}

// status reads which files the migrations table records as applied. goose counts a
// version as applied when the table has a row for it.
func status(ctx context.Context, tx pgx.Tx, files []migrationFile) ([]MigrationStatus, error) {
	applied := map[int64]time.Time{}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, migrationsTable).Scan(&exists); err != nil {
		return nil, err
	}
	if exists {
		rows, err := tx.Query(ctx, `SELECT version_id, MAX(tstamp) FROM `+migrationsTable+` GROUP BY version_id`)
		if err != nil {
			return nil, err
		}
		var version int64
		var at time.Time
		if _, err := pgx.ForEachRow(rows, []any{&version, &at}, func() error { applied[version] = at; return nil }); err != nil {
			return nil, err
		}
	}
	out := make([]MigrationStatus, 0, len(files))
	for _, f := range files {
		at, ok := applied[f.version]
		out = append(out, MigrationStatus{Name: f.name, Version: f.version, Applied: ok, AppliedAt: at})
	}
	return out, nil
}
