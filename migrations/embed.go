// Package migrations holds the database schema of the Data Storage tables the Context API
// reads, as goose SQL migrations (NNNNNN_name.sql, each with its "-- +goose Up" and
// "-- +goose Down" sections), applied in order by `contextapi migrate`.
//
// Every migration is idempotent and applies on top of an existing upstream Data Storage
// database (upstream migrations 001-008) as well as on an empty one.
package migrations

import "embed"

// FS holds the SQL migration files, embedded so the binary carries its own schema.
//
//go:embed *.sql
var FS embed.FS
