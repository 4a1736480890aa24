package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pools sends statements prepared by name, so the server plans each once per session
// (planning a list page costs 1-1.4 ms, three times executing it), until a transaction
// pooler shows it loses them: PgBouncer before 1.21 (or with max_prepared_statements = 0)
// runs each transaction on whichever server session is free, where a statement prepared
// on another is unknown (26000) or already known (42P05). pgx names a statement after a
// hash of its text, so a session that does know the name knows the same statement: the
// pooler can fail a statement, never change its meaning. From the first such failure on,
// statements go unnamed, each described once per connection and planned every time, and
// the failed one is sent again.
//
// Pings go to a third pool of one connection, health (health_conn.go), so that a health
// check never queues behind the requests.
type pools struct {
	named     *pgxpool.Pool
	described *pgxpool.Pool // nil when the DSN chose the mode itself
	health    *pgxpool.Pool
	unnamed   atomic.Bool
	logger    *slog.Logger
	// acquiring counts the acquires of named and described in progress (pool_metrics.go).
	acquiring *acquireCounter
}

// newPools opens the pools for cfg (connections open lazily). A DSN naming
// default_query_exec_mode keeps exactly that mode.
func newPools(dsn string, cfg *pgxpool.Config, logger *slog.Logger) (*pools, error) {
	p := &pools{logger: logger, acquiring: &acquireCounter{}}
	fixed := strings.Contains(dsn, "default_query_exec_mode")
	health, err := pgxpool.NewWithConfig(context.Background(), healthConfig(cfg))
	if err != nil {
		return nil, fmt.Errorf("postgres: pool: %w", err)
	}
	p.health = health
	cfg = cfg.Copy()
	cfg.ConnConfig.Tracer = p.acquiring
	named, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		health.Close()
		return nil, fmt.Errorf("postgres: pool: %w", err)
	}
	p.named = named
	if fixed {
		return p, nil
	}
	unnamedCfg := cfg.Copy()
	unnamedCfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	if p.described, err = pgxpool.NewWithConfig(context.Background(), unnamedCfg); err != nil {
		named.Close()
		health.Close()
		return nil, fmt.Errorf("postgres: pool: %w", err)
	}
	return p, nil
}

// statementPools are the pools statements go to: named, and described when there is one.
func (p *pools) statementPools() []*pgxpool.Pool {
	if p.described == nil {
		return []*pgxpool.Pool{p.named}
	}
	return []*pgxpool.Pool{p.named, p.described}
}

// current is the pool statements go to now.
func (p *pools) current() *pgxpool.Pool {
	if p.unnamed.Load() {
		return p.described
	}
	return p.named
}

// lostPrepared tells whether err says the session did not have the named statement the
// client prepared, or already had it: a transaction pooler moved the client between
// sessions. When so, and unnamed statements are available, it switches to them for good
// and reports true: the statement may be sent again.
func (p *pools) lostPrepared(err error) bool {
	var pgErr *pgconn.PgError
	if p.described == nil || !errors.As(err, &pgErr) || (pgErr.Code != "26000" && pgErr.Code != "42P05") {
		return false
	}
	if p.unnamed.CompareAndSwap(false, true) {
		p.logger.Warn("a connection pooler lost a prepared statement (PgBouncer before 1.21 in transaction mode, or max_prepared_statements = 0): statements are no longer prepared by name, so PostgreSQL plans each one again (about 1 ms more per uncached statement); PgBouncer 1.21+ with max_prepared_statements > 0 keeps them",
			"sqlstate", pgErr.Code)
		p.named.Reset() // its idle sessions are of no more use
	}
	return true
}

// reset closes the statement pools' connections (idle ones now, those in use when
// released); new ones open as needed.
func (p *pools) reset() {
	for _, pool := range p.statementPools() {
		pool.Reset()
	}
}

// close closes every pool.
func (p *pools) close() {
	p.named.Close()
	if p.described != nil {
		p.described.Close()
	}
	p.health.Close()
}
