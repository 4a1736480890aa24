package postgres

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// settingsSQL sets what every statement of the service needs, for the one transaction it
// runs in (set_config(..., true) is SET LOCAL). Nothing travels as a startup parameter,
// which PgBouncer rejects, and nothing is set for the session, which transaction pooling
// would hand to other clients: the settings and the statement go in one pipeline ending
// in a single Sync, so they share one implicit transaction on one server session, and
// cost no extra round trip (but on a statement's first use on a connection: sendFirst).
//
// transaction_read_only makes the service's sessions read-only whatever role it logs in
// as: it is the per-transaction form of default_transaction_read_only, which a session
// setting could not carry through a transaction pooler.
//
// plan_cache_mode stays the server's unless the statement asks for custom plans
// (withCustomPlans): aggregations over windows from an hour to a year share one
// statement text, and once a connection's plan cache has averaged a few large windows
// it keeps a generic plan that hashes both 50k-row object tables for an hour's rows
// (25 ms custom, 50-100 ms generic at 1M).
const settingsSQL = `SELECT set_config('transaction_read_only', 'on', true),
	set_config('statement_timeout', $1, true),
	set_config('hnsw.ef_search', $2, true),
	set_config('hnsw.iterative_scan', $3, true),
	set_config('plan_cache_mode', COALESCE($4, current_setting('plan_cache_mode')), true)`

// deadlineMargin is how much longer than the statement timeout the client waits for an
// answer: the server's timeout speaks first when it can, the client's deadline when the
// server cannot (a stalled network).
const deadlineMargin = 500 * time.Millisecond

// sessionSettings are the values settingsSQL sets. ef_search may follow the table's size,
// so it is read at each statement.
type sessionSettings struct {
	statementTimeout string // milliseconds
	deadline         time.Duration
	iterativeScan    string
	efSearch         atomic.Int64
}

func newSessionSettings(statementTimeout time.Duration, efSearch int, iterativeScan string) *sessionSettings {
	s := &sessionSettings{
		statementTimeout: strconv.FormatInt(statementTimeout.Milliseconds(), 10),
		deadline:         statementTimeout + deadlineMargin,
		iterativeScan:    iterativeScan,
	}
	s.efSearch.Store(int64(efSearch))
	return s
}

func (s *sessionSettings) args(ctx context.Context) []any {
	var planCacheMode *string // NULL: the server's
	if ctx.Value(customPlansKey{}) != nil {
		mode := "force_custom_plan"
		planCacheMode = &mode
	}
	return []any{s.statementTimeout, strconv.FormatInt(s.efSearch.Load(), 10), s.iterativeScan, planCacheMode}
}

// customPlansKey marks, in a context, a statement that must be planned for its
// arguments every time (see settingsSQL).
type customPlansKey struct{}

// withCustomPlans asks that the statements sent under ctx be planned for their
// arguments, never from a connection's generic plan.
func withCustomPlans(ctx context.Context) context.Context {
	return context.WithValue(ctx, customPlansKey{}, true)
}

// each sends sql with the session settings and hands each row to scan, within the
// client's deadline (a cancelled statement is cancelled on the server too). A statement
// a transaction pooler failed for want of its prepared form is sent again unnamed.
func (r *Repository) each(ctx context.Context, sql string, args []any, scan func(pgx.Rows) error) error {
	ctx, cancel := context.WithTimeout(ctx, r.settings.deadline)
	defer cancel()
	scanned := 0
	counting := func(rows pgx.Rows) error { scanned++; return scan(rows) }
	err := r.send(ctx, r.pools.current(), sql, args, counting)
	if err != nil && scanned == 0 && r.pools.lostPrepared(err) {
		err = r.send(ctx, r.pools.current(), sql, args, counting)
	}
	return err
}

// send is one attempt of each, on pool. A statement the connection has not described
// yet goes through sendFirst; the others, settings and statement in one pipeline.
func (r *Repository) send(ctx context.Context, pool *pgxpool.Pool, sql string, args []any, scan func(pgx.Rows) error) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if !described(conn.Conn(), sql) {
		return r.sendFirst(ctx, conn.Conn(), sql, args, scan)
	}
	b := &pgx.Batch{}
	b.Queue(settingsSQL, r.settings.args(ctx)...)
	b.Queue(sql, args...)
	br := conn.SendBatch(ctx, b)
	defer func() {
		if closeErr := br.Close(); err == nil {
			err = closeErr
		}
	}()
	if _, err := br.Exec(); err != nil {
		return err
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	return scanAll(rows, scan)
}

// sendFirst sends a statement new to the connection inside a transaction whose settings
// are already in force. pgx describes (prepares) a new statement in a round trip of its
// own before the pipeline of send runs, outside the settings; describing waits for the
// tables' locks like executing does, so behind a lock it would wait with no
// statement_timeout, for as long as the lock, if the network also stalls the client's
// cancel request. This costs three more round trips, once per statement and connection.
func (r *Repository) sendFirst(ctx context.Context, conn *pgx.Conn, sql string, args []any, scan func(pgx.Rows) error) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	// ctx bounds the rollback too: on a stalled network, pgx closes the connection.
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, settingsSQL, r.settings.args(ctx)...); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	if err := scanAll(rows, scan); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	markDescribed(conn, sql)
	return nil
}

func scanAll(rows pgx.Rows, scan func(pgx.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// describedKey keys, in a connection's custom data, the statements sendFirst described
// on it. pgx may forget one (its cache holds 512) and describe it again outside the
// settings: rare, and bounded by the client's deadline as before.
const describedKey = "contextapi.described"

// maxDescribed bounds the record per connection: past it, the record starts afresh.
const maxDescribed = 1024

func described(conn *pgx.Conn, sql string) bool {
	seen, _ := conn.PgConn().CustomData()[describedKey].(map[string]struct{})
	_, ok := seen[sql]
	return ok
}

func markDescribed(conn *pgx.Conn, sql string) {
	data := conn.PgConn().CustomData()
	seen, _ := data[describedKey].(map[string]struct{})
	if seen == nil || len(seen) >= maxDescribed {
		seen = map[string]struct{}{}
		data[describedKey] = seen
	}
	seen[sql] = struct{}{}
}

// queryRow sends one statement with the session settings and reads its single row into
// dest, timed and counted under op like every statement. No row is pgx.ErrNoRows.
func (r *Repository) queryRow(ctx context.Context, op, sql string, args []any, dest ...any) (err error) {
	ctx, stmt := r.statement(ctx, op)
	defer func() { stmt.end(err) }()
	found := false
	err = r.each(ctx, sql, args, func(rows pgx.Rows) error {
		if found {
			return nil
		}
		found = true
		return rows.Scan(dest...)
	})
	if err == nil && !found {
		err = pgx.ErrNoRows
	}
	return err
}

// tracerName is the instrumentation scope of the statements' spans.
const tracerName = "contextapi/postgres"

// statement observes one statement sent to the database under a repository operation:
// counted and timed in the metrics, and a client span "db <op>" when the caller's span
// is recording. The span names the operation only: never the statement, which
// carries no values but is long, nor its arguments, which are the caller's filters.
type statement struct {
	m *Metrics
	// target counts it by outcome for a Router's target (nil outside a Router).
	target *prometheus.CounterVec
	op     string
	start  time.Time
	span   trace.Span // nil when not traced
}

// statement starts observing a statement of op; end finishes it. With tracing off, or
// outside any traced request (health checks, estimates), it costs a context lookup.
func (r *Repository) statement(ctx context.Context, op string) (context.Context, statement) {
	s := statement{m: r.metrics, target: r.targetStatements, op: op, start: time.Now()}
	if parent := trace.SpanFromContext(ctx); parent.IsRecording() {
		ctx, s.span = parent.TracerProvider().Tracer(tracerName).Start(ctx, "db "+op,
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.operation.name", op)))
	}
	return ctx, s
}

// end counts and times the statement and ends its span, marked failed on err (whose
// text stays out of the trace: it may quote the statement).
func (s statement) end(err error) {
	s.m.observe(s.op, s.start)
	if s.target != nil {
		outcome := "ok"
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			outcome = "error"
		}
		s.target.WithLabelValues(outcome).Inc()
	}
	if s.span == nil {
		return
	}
	if err != nil {
		s.span.SetStatus(codes.Error, "")
	}
	s.span.End()
}
