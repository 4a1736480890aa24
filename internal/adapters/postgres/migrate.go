package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/contextapi/contextapi/migrations"
)

// migrationsTable records which migrations have been applied.
const migrationsTable = "contextapi_schema_migrations"

// Migrate applies the pending migrations of migrations/ in order, under a PostgreSQL
// advisory lock so two replicas never migrate at once, and returns the names of the
// ones it applied (none when the schema is current).
func Migrate(ctx context.Context, dsn string) ([]string, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithTableName(migrationsTable), goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return nil, translate(ctx, "migrate", err)
	}
	applied := make([]string, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}
