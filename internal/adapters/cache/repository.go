package cache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/flight"
	"github.com/contextapi/contextapi/internal/ports"
)

var _ ports.Repository = (*Repository)(nil)

// Options tune the cache.
type Options struct {
	// TTL is how long an entry answers without asking the repository (default 5m).
	TTL time.Duration
	// StaleWindow is how long past its TTL an entry may still answer while the
	// repository is unavailable (default 15m; negative: never).
	StaleWindow time.Duration
	// MaxBytes bounds the memory the cache holds (default 128 MiB).
	MaxBytes int64
	// LoadTimeout bounds a shared load once its callers have handed it over (default 30s).
	LoadTimeout time.Duration
	// DayPartials keeps the closed UTC days of aggregation windows, and the closed hours
	// at their ends, as partial aggregates of their own (days.go), so a window of several
	// days asks the repository only for its partial first and last hours (default false:
	// every aggregation is one load).
	DayPartials bool
	// Now is the clock TTLs are measured on (default time.Now); tests move it. It also
	// says which UTC days are closed.
	Now func() time.Time
	// Registerer receives the cache's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Shared, when its Tier is set, is a second tier shared with other processes
	// (shared.go), behind this process's own.
	Shared SharedOptions
}

func (o Options) withDefaults() Options {
	if o.TTL <= 0 {
		o.TTL = 5 * time.Minute
	}
	if o.StaleWindow == 0 {
		o.StaleWindow = 15 * time.Minute
	} else if o.StaleWindow < 0 {
		o.StaleWindow = 0
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 128 << 20
	}
	if o.LoadTimeout <= 0 {
		o.LoadTimeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// entry is a cached value with its version and its two deadlines: fresh until the
// TTL, usable while the repository is down until the stale window ends.
type entry struct {
	// asOf, when set, is when the oldest part of value was read from the repository
	// (domain.Read.AsOf): freshUntil counts from it, not from when the value was stored.
	asOf time.Time
	// value is one of the repository's answers (a page, an incident, search hits,
	// groups) or a remembered response: one ristretto cache holds them all so they share
	// one memory budget. Each key names its kind, so read's type assertion cannot fail.
	value      any
	version    string
	freshUntil time.Time
	staleUntil time.Time
	// origin says where a load found the entry (shared_read.go); set only on the copy
	// handed to the load's callers, never on a stored entry.
	origin uint8
}

// Repository is a read-through cache over another repository.
type Repository struct {
	next ports.Repository
	// aggregates loads aggregations: next, or the day partials over next.
	aggregates ports.AggregateRepository
	store      *ristretto.Cache[string, *entry]
	opts       Options
	flights    *flight.Group[string, *entry]
	metrics    *metrics
	// tier is the shared tier, nil without one.
	tier *tier
	// process and gen make versions: key@process.n, unique across the fleet.
	process string
	gen     atomic.Uint64
}

// New wraps next. Close releases the cache.
func New(next ports.Repository, opts Options) (*Repository, error) {
	opts = opts.withDefaults()
	store, err := ristretto.NewCache(&ristretto.Config[string, *entry]{
		// Ten counters per entry that fits, assuming entries of ~2 KiB on average.
		NumCounters:        max(10*opts.MaxBytes/2048, 10_000),
		MaxCost:            opts.MaxBytes,
		BufferItems:        64,
		Metrics:            true,
		IgnoreInternalCost: true,
	})
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	r := &Repository{next: next, aggregates: next, store: store, opts: opts, process: processID()}
	r.metrics = newMetrics(opts.Registerer, store)
	if opts.Shared.Tier != nil {
		r.tier = newTier(opts.Shared, r.process, opts.LoadTimeout, opts.Registerer)
	}
	r.flights = flight.New[string, *entry](opts.LoadTimeout, r.metrics.shared.Inc)
	if opts.DayPartials {
		r.aggregates = &days{next: next, r: r}
	}
	return r, nil
}

// Close stops the cache's goroutines and drops its entries (the shared tier's stay).
func (r *Repository) Close() {
	if r.tier != nil {
		r.tier.close()
	}
	r.store.Close()
}

// Wait blocks until pending writes are applied (ristretto admits asynchronously); for
// tests, which must never sleep for it.
func (r *Repository) Wait() { r.store.Wait() }

// List is cached per canonical query.
func (r *Repository) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	key, ok := listKey(q)
	if !ok {
		return bypass(ctx, spanList, r.next.List, q)
	}
	return read(ctx, r, key, func(ctx context.Context) (domain.IncidentPage, domain.Read, error) { return r.next.List(ctx, q) },
		clonePage, pageCost)
}

// Get is cached per id and embedding choice. Not-found is an error and never cached.
func (r *Repository) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	return read(ctx, r, getKey(q), func(ctx context.Context) (domain.IncidentEvent, domain.Read, error) { return r.next.Get(ctx, q) },
		cloneIncident, incidentCost)
}

// Search is cached per query vector and parameters, hashed whole.
func (r *Repository) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	key, ok := searchKey(q)
	if !ok {
		return bypass(ctx, spanSearch, r.next.Search, q)
	}
	return read(ctx, r, key, func(ctx context.Context) ([]domain.ScoredIncident, domain.Read, error) { return r.next.Search(ctx, q) },
		cloneScored, scoredCost)
}

// Aggregate is cached per canonical query. With DayPartials, a miss is loaded from the
// day partials (days.go), whose answer may be as old as its oldest day: the entry is
// then fresh for the TTL counted from that day's load, not from now.
func (r *Repository) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	key, ok := aggregateKey(q)
	if !ok {
		return bypass(ctx, spanAggregate, r.aggregates.Aggregate, q)
	}
	return read(ctx, r, key, func(ctx context.Context) ([]domain.Group, domain.Read, error) { return r.aggregates.Aggregate(ctx, q) },
		cloneGroups, groupsCost)
}

// bypass answers a query the cache cannot key straight from the repository: a miss
// with nothing stored, so no answer built from it is ever reused.
func bypass[Q, T any](ctx context.Context, spanName string, load func(context.Context, Q) (T, domain.Read, error), q Q) (T, domain.Read, error) {
	ctx, span := startSpan(ctx, spanName)
	v, _, err := load(ctx, q)
	endSpan(span, resultBypass, err)
	return v, domain.Read{Source: domain.ReadMiss}, err
}

// Ping passes through: readiness must reflect the repository, not the cache.
func (r *Repository) Ping(ctx context.Context) error { return r.next.Ping(ctx) }

// read answers from a fresh entry; else loads through the flight group (and the shared
// tier, shared_read.go) and stores the result; and when the repository is unavailable or the caller's deadline passes first,
// falls back to an entry still within its stale window. Errors are never stored. The Read it returns names
// the entry's version, which answers built from the value are tied to.
func read[T any](ctx context.Context, r *Repository, key string, next func(context.Context) (T, domain.Read, error),
	clone func(T) T, cost func(T) int64) (T, domain.Read, error) {
	ctx, span := startSpan(ctx, spanNameOf(key))
	cached, found := r.store.Get(key)
	if found && r.opts.Now().Before(cached.freshUntil) {
		r.metrics.requests.WithLabelValues("hit").Inc()
		endSpan(span, resultHit, nil)
		return clone(cached.value.(T)), domain.Read{Source: domain.ReadHit, Version: cached.version, AsOf: cached.asOf}, nil
	}
	e, err := r.flights.Do(ctx, key, func(ctx context.Context) (*entry, error) {
		return load(ctx, r, key, next, cost)
	})
	if err == nil {
		source, result := domain.ReadMiss, resultMiss
		switch e.origin {
		case originShared: // another process loaded it: no database read
			source, result = domain.ReadHit, resultHit
		case originStale:
			source, result = domain.ReadStale, resultStale
		}
		r.metrics.requests.WithLabelValues(result).Inc()
		endSpan(span, result, nil)
		return clone(e.value.(T)), domain.Read{Source: source, Version: e.version, AsOf: e.asOf}, nil
	}
	if found && outage(err) && r.opts.Now().Before(cached.staleUntil) {
		r.metrics.requests.WithLabelValues("stale").Inc()
		endSpan(span, resultStale, nil)
		return clone(cached.value.(T)), domain.Read{Source: domain.ReadStale, Version: cached.version, AsOf: cached.asOf}, nil
	}
	endSpan(span, resultMiss, err)
	var zero T
	return zero, domain.Read{}, err
}

// tracerName is the instrumentation scope of the cache's spans.
const tracerName = "contextapi/cache"

// Span names, by kind of read, and the values of their cache.result attribute.
const (
	spanList      = "cache list"
	spanGet       = "cache get"
	spanSearch    = "cache search"
	spanAggregate = "cache aggregate"
	spanOther     = "cache read"

	resultHit    = "hit"
	resultMiss   = "miss"
	resultStale  = "stale"
	resultBypass = "bypass"
)

// spanNameOf names a read's span after its key's kind (keys.go).
func spanNameOf(key string) string {
	switch {
	case strings.HasPrefix(key, "incident:"):
		return spanGet
	case strings.HasPrefix(key, "incidents:"+keyVersion+":list:"):
		return spanList
	case strings.HasPrefix(key, "incidents:"+keyVersion+":search:"):
		return spanSearch
	case strings.HasPrefix(key, "incidents:"+keyVersion+":aggregate:"):
		return spanAggregate
	}
	return spanOther
}

// startSpan starts a read's span as a child of the caller's, with the caller's tracer
// provider, and only when the caller's span is recording: with tracing off (or outside
// any traced request) it costs a context lookup and returns a nil span.
func startSpan(ctx context.Context, name string) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, nil
	}
	return parent.TracerProvider().Tracer(tracerName).Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal))
}

// endSpan records how the read was answered and ends span, if any. Errors set the
// status only: their text may name hosts, and never belongs in a trace backend.
func endSpan(span trace.Span, result string, err error) {
	if span == nil {
		return
	}
	span.SetAttributes(attribute.String("cache.result", result))
	if err != nil {
		span.SetStatus(codes.Error, "")
	}
	span.End()
}

// outage reports whether a failed load means the repository cannot answer now (down,
// overloaded, or too slow for the caller's deadline), when a stale value beats none.
func outage(err error) bool {
	return errors.Is(err, domain.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}

// storeLoaded keeps a freshly loaded value under a new version, fresh for the TTL from
// now or, for a value combined from older parts, from asOf. ristretto applies writes
// asynchronously: the load waits until this one is applied, so callers arriving after
// the load leaves the flight group find it (else they would query again). ristretto may
// still refuse it (admission policy); callers then simply miss again.
func (r *Repository) storeLoaded(key string, v any, cost int64, asOf time.Time) *entry {
	now := r.opts.Now()
	from := now
	if !asOf.IsZero() && asOf.Before(now) {
		from = asOf
	}
	e := &entry{
		value:      v,
		version:    key + "@" + r.process + "." + strconv.FormatUint(r.gen.Add(1), 36),
		asOf:       asOf,
		freshUntil: from.Add(r.opts.TTL),
		staleUntil: from.Add(r.opts.TTL + r.opts.StaleWindow),
	}
	// A value already past its stale window is handed to its callers but not kept
	// (ristretto reads a zero TTL as "never expires").
	if ttl := e.staleUntil.Sub(now); ttl > 0 && r.store.SetWithTTL(key, e, cost, ttl) {
		r.store.Wait()
	}
	return e
}
