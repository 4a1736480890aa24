package admission

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

var _ ports.Repository = (*Repository)(nil)

// Options bound the reads that reach the repository.
type Options struct {
	// MaxConcurrent is how many reads may run at once (required, > 0).
	MaxConcurrent int
	// MaxWaiting is how many reads may wait for a slot (default 4 × MaxConcurrent;
	// negative: none, a read that cannot start is refused at once).
	MaxWaiting int
	// QueueTimeout is how long a read may wait for a slot (default 100ms).
	QueueTimeout time.Duration
	// Registerer receives the gate's metrics; nil registers none.
	Registerer prometheus.Registerer
}

func (o Options) withDefaults() Options {
	if o.MaxWaiting == 0 {
		o.MaxWaiting = 4 * o.MaxConcurrent
	} else if o.MaxWaiting < 0 {
		o.MaxWaiting = 0
	}
	if o.QueueTimeout <= 0 {
		o.QueueTimeout = 100 * time.Millisecond
	}
	return o
}

// Repository bounds the reads that reach another repository.
type Repository struct {
	next ports.Repository
	gate *gate
}

// New wraps next. It fails when opts.MaxConcurrent is not positive.
func New(next ports.Repository, opts Options) (*Repository, error) {
	if opts.MaxConcurrent <= 0 {
		return nil, errors.New("admission: MaxConcurrent must be positive")
	}
	opts = opts.withDefaults()
	return &Repository{
		next: next,
		gate: newGate(opts.MaxConcurrent, opts.MaxWaiting, opts.QueueTimeout, newMetrics(opts.Registerer)),
	}, nil
}

// List runs once admitted.
func (r *Repository) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	return bounded(ctx, r.gate, r.next.List, q)
}

// Get runs once admitted.
func (r *Repository) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	return bounded(ctx, r.gate, r.next.Get, q)
}

// Search runs once admitted.
func (r *Repository) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	return bounded(ctx, r.gate, r.next.Search, q)
}

// Aggregate runs once admitted.
func (r *Repository) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	return bounded(ctx, r.gate, r.next.Aggregate, q)
}

// Ping is never bounded: readiness must report the database, not wait behind the load.
func (r *Repository) Ping(ctx context.Context) error { return r.next.Ping(ctx) }

// bounded runs one read in a slot; the slot is returned even if the read panics.
func bounded[Q, T any](ctx context.Context, g *gate, read func(context.Context, Q) (T, domain.Read, error), q Q) (T, domain.Read, error) {
	if err := g.enter(ctx); err != nil {
		var zero T
		return zero, domain.Read{}, err
	}
	defer g.leave()
	return read(ctx, q)
}
