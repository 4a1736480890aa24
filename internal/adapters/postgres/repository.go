package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/prometheus/client_golang/prometheus"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

var _ ports.Repository = (*Repository)(nil)

// Options tune the connection pool and statements.
type Options struct {
	// StatementTimeout bounds every statement on the server (statement_timeout).
	StatementTimeout time.Duration
	// MaxOpenConns bounds the pool.
	MaxOpenConns int
	// Metrics receives a count and a duration per statement; nil disables them.
	Metrics *Metrics
	// EfSearch is hnsw.ef_search, the candidate list of vector searches; 0 chooses it
	// from the traces table's size, as last read from its statistics (EfSearchFor).
	EfSearch int
	// IterativeScan is hnsw.iterative_scan (default relaxed_order; "off" disables).
	IterativeScan string
	// ExactSearchRows is how many incidents a filter may match, by the planner's
	// estimate, for a filtered search to compare them all instead of walking the HNSW
	// graphs (default 20,000; negative: never).
	ExactSearchRows int
	// PasswordFile, when set, holds the password, read again whenever a connection
	// opens so a rotated Secret needs no restart.
	PasswordFile string
	// Logger receives what the adapter finds out about its database (nil: nothing).
	Logger *slog.Logger
	// efSearchRule replaces EfSearchFor (tests).
	efSearchRule func(rows int64) int
	// schemaRecheck replaces how long an absent embedding column is believed (tests).
	schemaRecheck time.Duration
}

// Repository reads incidents from PostgreSQL. It is safe for concurrent use.
type Repository struct {
	db      *gorm.DB
	sqlDB   *sql.DB
	pools   *pools // nil in dry-run tests
	metrics *Metrics
	// stats caches the traces table's size, which decides how totals are counted.
	stats tableStats
	// estimates remembers the planner's recent estimates of totals.
	estimates estimateMemo
	// exactSearchRows is Options.ExactSearchRows.
	exactSearchRows int
	// embeddingPresent and embeddingAbsentUntil (Unix nanoseconds) remember whether
	// rat.embedding exists (older Data Storage databases lack it until `migrate`).
	embeddingPresent     atomic.Bool
	embeddingAbsentUntil atomic.Int64
	// settings are sent with every statement (statement.go).
	settings *sessionSettings
	// efSearchRule, when set, chooses hnsw.ef_search from the table's size.
	efSearchRule func(rows int64) int
	// schemaRecheck is how long an absent embedding column is believed.
	schemaRecheck time.Duration
	// targetStatements, set by a Router, counts this target's statements by outcome.
	targetStatements *prometheus.CounterVec
}

// Open connects lazily to dsn (a URL or key=value DSN, Unix-socket hosts included; empty:
// the PG* variables); it fails only when the DSN cannot be parsed or the password file
// cannot be read.
func Open(dsn string, opts Options) (*Repository, error) {
	cfg, err := connConfig(dsn, opts.PasswordFile)
	if err != nil {
		return nil, err
	}
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 5 * time.Second
	}
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 16
	}
	boundConnect(cfg, opts.StatementTimeout)
	if opts.ExactSearchRows == 0 {
		opts.ExactSearchRows = defaultExactSearchRows
	}
	if opts.efSearchRule == nil {
		opts.efSearchRule = EfSearchFor
	}
	if opts.IterativeScan == "" {
		// Filtered searches keep scanning the index until the limit is met (pgvector >= 0.8).
		opts.IterativeScan = "relaxed_order"
	}
	poolCfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, fmt.Errorf("postgres: pool: %w", err)
	}
	poolCfg.ConnConfig = cfg
	// pgxpool counts in int32: a larger bound is no bound. (n > 0 already, defaulted above.)
	poolCfg.MaxConns = math.MaxInt32
	if n := opts.MaxOpenConns; n > 0 && n < math.MaxInt32 {
		poolCfg.MaxConns = int32(n)
	}
	poolCfg.MaxConnLifetime = 30 * time.Minute
	poolCfg.BeforeConnect = withPasswordFile(opts.PasswordFile)
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pools, err := newPools(dsn, poolCfg, logger)
	if err != nil {
		return nil, err
	}
	// GORM composes statements (it sends none), pgx sends them (see each).
	repo, err := newRepository(stdlib.OpenDBFromPool(pools.named), opts.Metrics, false)
	if err != nil {
		pools.close()
		return nil, err
	}
	repo.pools = pools
	repo.metrics.pool.attach(pools)
	repo.exactSearchRows = opts.ExactSearchRows
	efSearch := opts.EfSearch
	if efSearch <= 0 {
		efSearch = opts.efSearchRule(0)
		repo.efSearchRule = opts.efSearchRule
	}
	repo.settings = newSessionSettings(opts.StatementTimeout, efSearch, opts.IterativeScan)
	if opts.schemaRecheck > 0 {
		repo.schemaRecheck = opts.schemaRecheck
	}
	return repo, nil
}

// newRepository wraps an opened pool; dryRun renders SQL without sending it (tests).
func newRepository(sqlDB *sql.DB, metrics *Metrics, dryRun bool) (*Repository, error) {
	db, err := gorm.Open(gormpg.New(gormpg.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		DisableAutomaticPing:   true,
		DryRun:                 dryRun,
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	return &Repository{db: db, sqlDB: sqlDB, metrics: metrics, schemaRecheck: tableRowsTTL,
		settings: newSessionSettings(5*time.Second, EfSearchFor(0), "relaxed_order")}, nil
}

// Close closes the pools; the pool gauges stop reporting them.
func (r *Repository) Close() error {
	err := r.sqlDB.Close()
	if r.pools != nil {
		r.metrics.pool.detach(r.pools)
		r.pools.close()
	}
	return err
}

// Ping checks that the database answers, on a connection of its own (health_conn.go): a
// health check never waits behind the requests for a pooled connection.
func (r *Repository) Ping(ctx context.Context) (err error) {
	ctx, stmt := r.statement(ctx, "ping")
	defer func() { stmt.end(err) }()
	return translate(ctx, "ping", r.pools.ping(ctx))
}

// Metrics returns the statement metrics.
func (r *Repository) Metrics() *Metrics { return r.metrics }

// session starts a GORM session under ctx, to compose one statement (compose, fetch).
func (r *Repository) session(ctx context.Context) *gorm.DB {
	return r.db.WithContext(ctx)
}

// hasEmbedding tells whether rat.embedding exists. Its presence is remembered for good;
// its absence for a minute only, so a process started before `migrate` adds the column
// finds it without a restart.
func (r *Repository) hasEmbedding(ctx context.Context) (bool, error) {
	if absentUntil := r.embeddingAbsentUntil.Load(); r.embeddingPresent.Load() {
		return true, nil
	} else if absentUntil != 0 && time.Now().UnixNano() < absentUntil {
		return false, nil
	}
	var exists bool
	err := r.queryRow(ctx, "schema", `SELECT EXISTS (
		SELECT 1 FROM pg_attribute
		WHERE attrelid = to_regclass('resource_action_traces') AND attname = 'embedding' AND NOT attisdropped)`, nil, &exists)
	if err != nil {
		return false, translate(ctx, "schema", err)
	}
	if exists {
		r.embeddingPresent.Store(true)
	} else {
		r.embeddingAbsentUntil.Store(time.Now().Add(r.schemaRecheck).UnixNano())
	}
	return exists, nil
}

// columns is the select list: the embedding only when asked for and present.
func (r *Repository) columns(ctx context.Context, withEmbedding bool) (string, error) {
	if !withEmbedding {
		return incidentColumns, nil
	}
	ok, err := r.hasEmbedding(ctx)
	if err != nil || !ok {
		return incidentColumns + `, NULL::text AS embedding`, err
	}
	return incidentColumns + embeddingColumn, nil
}

func toDomainAll(records []incidentRecord) []domain.IncidentEvent {
	out := make([]domain.IncidentEvent, len(records))
	for i, rec := range records {
		out[i] = rec.toDomain()
	}
	return out
}
