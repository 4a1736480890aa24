package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/contextapi/contextapi/migrations"
)

// migrationsTable records which migrations have been applied.
const migrationsTable = "contextapi_schema_migrations"

// MigrateOptions tune Migrate, MigrateStatus and MigrateDryRun.
type MigrateOptions struct {
	// PasswordFile, when set, holds the password, read again before every connection
	// (see Options.PasswordFile).
	PasswordFile string
	// LockTimeout bounds how long a step waits for a lock that writers of the traces
	// table would queue behind (creating a partitioned index, attaching, dropping,
	// renaming, and every ordinary migration's transaction); default 500ms.
	LockTimeout time.Duration
	// LockRetries is how many times such a step is tried again, after a pause growing
	// from 100ms to 5s, when its lock_timeout expires; default 20, negative for none.
	LockRetries int
}

// Migrate applies the pending migrations of migrations/ in order, under a PostgreSQL
// advisory lock so two replicas never migrate at once, and returns the names of the
// ones it applied (none when the schema is current). dsn may be empty: libpq's PG*
// variables then say where the database is.
//
// goose keeps the record (contextapi_schema_migrations) and the lock; the statements of
// each file are run by this package's runner, not goose's: ordinary statements in a
// transaction under a short lock_timeout, retried when it expires, and each CREATE INDEX
// of resource_action_traces built per partition CONCURRENTLY and attached (see plan), so
// Data Storage's inserts never wait long behind a migration. Migrations therefore need
// a real session on PostgreSQL, not PgBouncer's transaction pooling.
func Migrate(ctx context.Context, dsn string, opts MigrateOptions) ([]string, error) {
	m, err := newMigrator(dsn, opts)
	if err != nil {
		return nil, err
	}
	defer m.close()
	results, err := m.provider.Up(ctx)
	if err != nil {
		return nil, translate(ctx, "migrate", err)
	}
	applied := make([]string, 0, len(results))
	for _, r := range results {
		applied = append(applied, m.names[r.Source.Version])
	}
	return applied, nil
}

// migrator is goose's provider over the runner: one Go migration per file of
// migrations/, with goose's own transaction off, since the runner decides.
type migrator struct {
	*runner
	files    []migrationFile
	names    map[int64]string
	db       *sql.DB
	provider *goose.Provider
}

func newMigrator(dsn string, opts MigrateOptions) (*migrator, error) {
	r, err := newRunner(dsn, opts)
	if err != nil {
		return nil, err
	}
	files, err := readMigrations(migrations.FS)
	if err != nil {
		return nil, err
	}
	m := &migrator{runner: r, files: files, names: map[int64]string{}}
	var gos []*goose.Migration
	for _, f := range files {
		m.names[f.version] = f.name
		gos = append(gos, goose.NewGoMigration(f.version,
			&goose.GoFunc{RunDB: func(ctx context.Context, _ *sql.DB) error { return r.apply(ctx, f, f.up) }},
			&goose.GoFunc{RunDB: func(ctx context.Context, _ *sql.DB) error { return r.apply(ctx, f, f.down) }}))
	}
	var dbOpts []stdlib.OptionOpenDB
	if hook := withPasswordFile(opts.PasswordFile); hook != nil {
		dbOpts = append(dbOpts, stdlib.OptionBeforeConnect(hook))
	}
	m.db = stdlib.OpenDB(*r.cfg, dbOpts...)
	locker, err := lock.NewPostgresSessionLocker()
	if err == nil {
		m.provider, err = goose.NewProvider(goose.DialectPostgres, m.db, nil,
			goose.WithTableName(migrationsTable), goose.WithSessionLocker(locker),
			goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(gos...))
	}
	if err != nil {
		_ = m.db.Close() // nothing ran on it; the error above is the one to report
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return m, nil
}

// close releases goose's connections once Up has returned: the outcome is known by
// then, and a failure to close cannot change it.
func (m *migrator) close() { _ = m.db.Close() }
