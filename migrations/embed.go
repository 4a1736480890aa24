// Package migrations holds the database schema of the Data Storage tables the Context API
// reads, as SQL migrations in goose's format (NNNNNN_name.sql, each with its "-- +goose Up"
// and "-- +goose Down" sections), applied in order by `contextapi migrate`.
//
// Every migration is idempotent and applies on top of an existing upstream Data Storage
// database (upstream migrations 001-008) as well as on an empty one.
//
// goose records the applied versions (contextapi_schema_migrations) and holds the advisory
// lock, but the statements are run by contextapi's own runner (internal/adapters/postgres),
// because Data Storage keeps writing to resource_action_traces while we migrate:
//
//   - Ordinary statements run in one transaction per run of them, under a short
//     lock_timeout, tried again later when it expires (they are idempotent).
//   - Each "CREATE INDEX IF NOT EXISTS name ON resource_action_traces ..." is built without
//     blocking writers: the parent index ON ONLY the table, then on every partition the same
//     index CREATE INDEX CONCURRENTLY (named name_<partition suffix>), attached to the
//     parent. An interrupted build is resumed by the next run.
//   - "DROP INDEX IF EXISTS name" directly followed by "CREATE INDEX name ON
//     resource_action_traces ..." rebuilds the index: a replacement is built the same way
//     and swapped in by one short transaction; nothing happens when the index already has
//     the storage parameters (WITH ...) asked for.
//   - SET lines hold for the rest of the migration's session (its index builds included).
//
// `contextapi migrate --dry-run` prints what would run, partition by partition.
package migrations

import "embed"

// FS holds the SQL migration files, embedded so the binary carries its own schema.
//
//go:embed *.sql
var FS embed.FS
