// Package database provides the bench's databases: one per size on the given server,
// created, migrated and seeded with the synthetic data set when missing or stale, and
// reused otherwise; and pgx pools with the service's per-connection settings.
package database

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/contextapi/contextapi/bench/internal/config"
	"github.com/contextapi/contextapi/bench/internal/progress"
)

// seedValue is the synthetic data set's seed: every bench database holds the same data
// for its size.
const seedValue = 1

// markerTable records what a bench database holds, so later runs reuse it. The service
// never reads it.
const markerTable = "contextapi_bench_marker"

// Tool runs a subcommand of the contextapi binary under test (migrate, seed).
type Tool interface {
	Run(ctx context.Context, args ...string) error
}

// Ensure returns the URL of contextapi_bench_<size>, creating, migrating and seeding it
// when it is missing or its marker does not match; otherwise it only runs migrate
// (idempotent), so migrations added since the seed apply. It returns when the data was
// generated (its newest trace).
func Ensure(ctx context.Context, cfg config.Config, contextapi Tool, sz config.Size) (string, time.Time, error) {
	name := "contextapi_bench_" + strings.ToLower(sz.Label)
	dbURL, err := WithDatabase(cfg.AdminURL, name)
	if err != nil {
		return "", time.Time{}, err
	}
	admin, err := pgx.Connect(ctx, cfg.AdminURL)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("connect to %s: %w", Redact(cfg.AdminURL), err)
	}
	defer admin.Close(context.Background())
	// Two runs at once (parallel CI jobs on one server) provision one after the other.
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, name); err != nil {
		return "", time.Time{}, err
	}
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", time.Time{}, err
	}
	fromTemplate := ""
	if !exists {
		if tpl := cfg.Templates[sz.Label]; tpl != "" {
			var busy int
			err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1`, tpl).Scan(&busy)
			if err != nil {
				return "", time.Time{}, err
			}
			if busy > 0 {
				return "", time.Time{}, fmt.Errorf("template %s has %d connections: close them or drop -templates", tpl, busy)
			}
			progress.Logf("%s: creating %s as a copy of %s", sz.Label, name, tpl)
			if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tpl); err != nil {
				return "", time.Time{}, fmt.Errorf("create database %s from %s: %w", name, tpl, err)
			}
			fromTemplate = tpl
		} else {
			progress.Logf("%s: creating database %s", sz.Label, name)
			if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
				return "", time.Time{}, fmt.Errorf("create database %s: %w", name, err)
			}
		}
	}
	if err := contextapi.Run(ctx, "migrate", "--database-url", dbURL); err != nil {
		return "", time.Time{}, err
	}
	ok, asOf, err := markerMatches(ctx, dbURL, sz, cfg.ReseedAfter)
	if err != nil {
		return "", time.Time{}, err
	}
	if ok {
		progress.Logf("%s: reusing %s (seeded %s ago)", sz.Label, name, time.Since(asOf).Round(time.Minute))
		return dbURL, asOf, nil
	}
	source := "template " + fromTemplate
	if fromTemplate == "" || !rowsMatch(ctx, dbURL, sz.Rows) {
		progress.Logf("%s: seeding %d synthetic traces (seed %d) into %s", sz.Label, sz.Rows, seedValue, name)
		start := time.Now()
		err := contextapi.Run(ctx, "seed", "--dataset", "synthetic", "--rows", fmt.Sprint(sz.Rows),
			"--seed", fmt.Sprint(seedValue), "--replace", "--database-url", dbURL)
		if err != nil {
			return "", time.Time{}, err
		}
		progress.Logf("%s: seeded in %s", sz.Label, time.Since(start).Round(time.Second))
		source = "contextapi seed"
	}
	asOf, err = writeMarker(ctx, dbURL, sz, source)
	return dbURL, asOf, err
}

// markerMatches reports whether the database holds sz.Rows traces of the synthetic set
// with seedValue, seeded less than maxAge ago.
func markerMatches(ctx context.Context, dbURL string, sz config.Size, maxAge time.Duration) (bool, time.Time, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return false, time.Time{}, err
	}
	defer conn.Close(context.Background())
	var present bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, markerTable).Scan(&present); err != nil || !present {
		return false, time.Time{}, err
	}
	var rows, seed int64
	var asOf time.Time
	err = conn.QueryRow(ctx, `SELECT rows, seed, as_of FROM `+markerTable+` LIMIT 1`).Scan(&rows, &seed, &asOf)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, err
	}
	if rows != int64(sz.Rows) || seed != seedValue || time.Since(asOf) > maxAge {
		return false, time.Time{}, nil
	}
	return rowsMatch(ctx, dbURL, sz.Rows), asOf, nil
}

// rowsMatch counts the traces: a marker alone does not prove nobody emptied the tables.
func rowsMatch(ctx context.Context, dbURL string, rows int) bool {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	var n int64
	err = conn.QueryRow(ctx, `SELECT count(*) FROM resource_action_traces`).Scan(&n)
	return err == nil && n == int64(rows)
}

// writeMarker records the seed; as_of is the newest trace's time, which is when the
// data set was generated (its traces span the 90 days before).
func writeMarker(ctx context.Context, dbURL string, sz config.Size, source string) (time.Time, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return time.Time{}, err
	}
	defer conn.Close(context.Background())
	var asOf time.Time
	err = conn.QueryRow(ctx, `SELECT COALESCE(max(action_timestamp), now()) FROM resource_action_traces`).Scan(&asOf)
	if err != nil {
		return time.Time{}, err
	}
	_, err = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+markerTable+` (
		rows bigint NOT NULL, seed bigint NOT NULL, as_of timestamptz NOT NULL,
		source text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`)
	if err == nil {
		_, err = conn.Exec(ctx, `DELETE FROM `+markerTable)
	}
	if err == nil {
		_, err = conn.Exec(ctx, `INSERT INTO `+markerTable+` (rows, seed, as_of, source) VALUES ($1, $2, $3, $4)`,
			sz.Rows, seedValue, asOf, source)
	}
	return asOf, err
}

// WithDatabase points a PostgreSQL URL or key=value DSN at another database.
func WithDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", errors.New("the database URL does not parse")
		}
		u.Path = "/" + name
		q := u.Query()
		if q.Has("dbname") {
			q.Set("dbname", name)
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	var kept []string
	for _, f := range strings.Fields(dsn) {
		if !strings.HasPrefix(f, "dbname=") {
			kept = append(kept, f)
		}
	}
	return strings.Join(append(kept, "dbname="+name), " "), nil
}

// WithSocket makes a URL or DSN connect through the Unix socket in dir.
func WithSocket(dsn, dir string) string {
	if dir == "" {
		return dsn
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("host", dir)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " host=" + dir
}

// Redact hides a URL's password for messages.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return "the configured database"
}

// NewPool opens a pgx pool with the service's per-connection settings: application
// name, statement timeout and the given parameters (hnsw.ef_search, say).
func NewPool(ctx context.Context, dbURL, app string, size int32, timeout time.Duration, params map[string]string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, errors.New("the database URL does not parse")
	}
	cfg.MaxConns = size
	rp := cfg.ConnConfig.RuntimeParams
	rp["application_name"] = app
	rp["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	for k, v := range params {
		rp[k] = v
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}
