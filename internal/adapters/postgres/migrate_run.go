package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	defaultLockTimeout = 500 * time.Millisecond
	defaultLockRetries = 20
	maxBackoff         = 5 * time.Second
	// maxPasses bounds how often an index is planned again and its steps run: a rebuild
	// takes three (build the replacement, swap, check); more means something keeps
	// undoing the work.
	maxPasses = 6
)

// migrationSession is what every migration session runs first. An index build takes as
// long as it takes, and CONCURRENTLY waits for older transactions without blocking any
// writer, so neither is cut short; every step that takes a lock writers queue behind
// sets a short lock_timeout of its own (SET LOCAL).
var migrationSession = []string{"SET statement_timeout = 0", "SET lock_timeout = 0"}

// runner carries out the actions of migration files on a session of its own.
type runner struct {
	cfg          *pgx.ConnConfig
	passwordFile string
	lockTimeout  time.Duration
	lockRetries  int
}

func newRunner(dsn string, opts MigrateOptions) (*runner, error) {
	cfg, err := connConfig(dsn, opts.PasswordFile)
	if err != nil {
		return nil, err
	}
	if cfg.RuntimeParams["application_name"] == "contextapi" {
		cfg.RuntimeParams["application_name"] = "contextapi-migrate"
	}
	r := &runner{cfg: cfg, passwordFile: opts.PasswordFile, lockTimeout: opts.LockTimeout, lockRetries: opts.LockRetries}
	if r.lockTimeout <= 0 {
		r.lockTimeout = defaultLockTimeout
	}
	if r.lockRetries == 0 {
		r.lockRetries = defaultLockRetries
	}
	return r, nil
}

// connect opens a migration session, reading the password file first if there is one.
func (r *runner) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg := r.cfg.Copy()
	if r.passwordFile != "" {
		if err := applyPasswordFile(cfg, r.passwordFile); err != nil {
			return nil, err
		}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, translate(ctx, "migrate: connect", err)
	}
	for _, s := range migrationSession {
		if _, err := conn.Exec(ctx, s); err != nil {
			_ = conn.Close(context.WithoutCancel(ctx)) // the Exec error is the one to report
			return nil, translate(ctx, "migrate: connect", err)
		}
	}
	return conn, nil
}

// apply runs the actions of one migration (its up or down section) on a new session.
func (r *runner) apply(ctx context.Context, f migrationFile, actions []action) error {
	conn, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	load := func() (*catalogue, error) { return loadCatalogue(ctx, conn) }
	run := func(s step) error { return r.exec(ctx, conn, s) }
	for _, a := range actions {
		if err := converge(a, load, run); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// converge runs an action: its statements, or, for an index, the steps planned against
// the catalogue, planned again after each batch until none is left.
func converge(a action, load func() (*catalogue, error), run func(step) error) error {
	if a.index == nil {
		return run(brief(a.tx, nil))
	}
	for range maxPasses {
		c, err := load()
		if err != nil {
			return fmt.Errorf("index %s: read the catalogue: %w", a.index.name, err)
		}
		steps, err := plan(c, a)
		if err != nil {
			return fmt.Errorf("index %s: %w", a.index.name, err)
		}
		if len(steps) == 0 {
			return nil
		}
		for _, s := range steps {
			if err := run(s); err != nil {
				return fmt.Errorf("index %s: %w", a.index.name, err)
			}
		}
	}
	return fmt.Errorf("index %s: still incomplete after %d passes", a.index.name, maxPasses)
}

// exec runs a step. A brief step's transaction is tried again, after a growing pause,
// each time its lock_timeout expires (or it meets a deadlock): waiting for a lock that
// long would have queued the writers behind it.
func (r *runner) exec(ctx context.Context, conn *pgx.Conn, s step) error {
	if s.online {
		_, err := conn.Exec(ctx, s.sql[0])
		return statementError(s.sql[0], err)
	}
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '"+r.lockTimeoutSetting()+"'"); err != nil {
				return err
			}
			for _, q := range s.sql {
				if _, err := tx.Exec(ctx, q); err != nil {
					return statementError(q, err)
				}
			}
			return nil
		})
		if !lockBusy(err) {
			return err
		}
		if attempt >= r.lockRetries {
			return fmt.Errorf("gave up after %d attempts, each waiting up to %s (lock_timeout) for a lock other sessions held: "+
				"run migrate again when writers are quieter, or allow it more retries: %w", attempt+1, r.lockTimeout, err)
		}
		pause := min(100*time.Millisecond<<min(attempt, 10), maxBackoff)
		pause += rand.N(pause / 2) // #nosec G404 -- retry jitter spreads replicas apart; nothing to guess
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

// statementError names the statement that failed by its first line.
func statementError(stmt string, err error) error {
	if err == nil {
		return nil
	}
	first, _, _ := strings.Cut(strings.TrimSpace(stmt), "\n")
	if len(first) > 80 {
		first = first[:77] + "..."
	}
	return fmt.Errorf("%s: %w", first, err)
}

func (r *runner) lockTimeoutSetting() string {
	return fmt.Sprintf("%dms", max(r.lockTimeout.Milliseconds(), 1))
}

// lockBusy reports a lock_timeout that expired or a deadlock: worth trying again.
func lockBusy(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "40P01")
}
