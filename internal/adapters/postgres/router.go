package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

var _ ports.Repository = (*Router)(nil)

// Router reads from PostgreSQL streaming replicas, spread round-robin over those that are
// usable (answering, and replaying within MaxLag), and from the primary when none is. A
// read a target could not answer is tried again on the next target: reads are
// idempotent, so a replica that dies costs its requests a retry, not an error.
//
// gorm.io/plugin/dbresolver splits reads from writes over several sources, but it picks
// a replica without knowing whether it answers or how far behind it is, and a statement
// that fails on one is not sent to another: the two things this type exists for. Each
// target is instead a whole Repository, with the pools, session settings and statement
// metrics a single database has.
type Router struct {
	primary  *target
	replicas []*target
	next     atomic.Uint64 // round-robin position over replicas
	opts     RouterOptions
	metrics  *routerMetrics
	stop     context.CancelFunc
	checks   sync.WaitGroup
	closing  sync.Once
}

// RouterOptions tune how replicas are judged.
type RouterOptions struct {
	// MaxLag is how far behind the primary a replica may replay and still be read
	// (default 10s).
	MaxLag time.Duration
	// CheckInterval is how often each target is checked (default 1s); CheckTimeout
	// bounds one check (default 1s).
	CheckInterval, CheckTimeout time.Duration
	// Registerer receives the per-target metrics; nil registers none.
	Registerer prometheus.Registerer
	// Logger receives each target's changes of state (nil: nothing).
	Logger *slog.Logger
}

func (o RouterOptions) withDefaults() RouterOptions {
	if o.MaxLag <= 0 {
		o.MaxLag = 10 * time.Second
	}
	if o.CheckInterval <= 0 {
		o.CheckInterval = time.Second
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// OpenRouter opens the primary and each replica as Open would, with the same options
// (each target has a pool of opts.MaxOpenConns), and starts checking them. Like Open,
// it connects lazily and fails only on a DSN that cannot be used.
func OpenRouter(primaryDSN string, replicaDSNs []string, opts Options, ropts RouterOptions) (*Router, error) {
	if len(replicaDSNs) == 0 {
		return nil, errors.New("postgres: router: no replica to route to (use Open)")
	}
	ropts = ropts.withDefaults()
	r := &Router{opts: ropts, metrics: newRouterMetrics(ropts.Registerer)}
	primary, err := Open(primaryDSN, opts)
	if err != nil {
		return nil, err
	}
	r.primary = newTarget("primary", rolePrimary, primary)
	for i, dsn := range replicaDSNs {
		repo, err := Open(dsn, opts)
		if err != nil {
			_ = r.closeTargets() // the open error is the one to report
			return nil, fmt.Errorf("postgres: replica %d: %w", i+1, err)
		}
		r.replicas = append(r.replicas, newTarget(fmt.Sprintf("replica-%d (%s)", i+1, hostPort(dsn)), roleReplica, repo))
	}
	ctx, stop := context.WithCancel(context.Background())
	r.stop = stop
	for _, t := range r.targets() {
		r.metrics.attach(t)
		r.metrics.setState(t, stateUnknown, 0)
		r.checks.Go(func() { r.watch(ctx, t) })
	}
	return r, nil
}

// Close stops the checks, then closes every target's pools.
func (r *Router) Close() error {
	var err error
	r.closing.Do(func() {
		r.stop()
		r.checks.Wait()
		err = r.closeTargets()
	})
	return err
}

func (r *Router) closeTargets() error {
	var errs []error
	for _, t := range r.targets() {
		errs = append(errs, t.repo.Close())
	}
	return errors.Join(errs...)
}

// targets is the primary then the replicas.
func (r *Router) targets() []*target {
	out := []*target{}
	if r.primary != nil {
		out = append(out, r.primary)
	}
	return append(out, r.replicas...)
}

// Targets names the targets and their state now, the primary first, for the start-up
// description and tests.
func (r *Router) Targets() []TargetStatus {
	out := []TargetStatus{}
	for _, t := range r.targets() {
		out = append(out, t.status())
	}
	return out
}

// List reads a page from the first target that answers.
func (r *Router) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	return route(ctx, r, func(ctx context.Context, repo *Repository) (domain.IncidentPage, domain.Read, error) {
		return repo.List(ctx, q)
	})
}

// Get reads an incident from the first target that answers.
func (r *Router) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	return route(ctx, r, func(ctx context.Context, repo *Repository) (domain.IncidentEvent, domain.Read, error) {
		return repo.Get(ctx, q)
	})
}

// Search runs a similarity search on the first target that answers.
func (r *Router) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	return route(ctx, r, func(ctx context.Context, repo *Repository) ([]domain.ScoredIncident, domain.Read, error) {
		return repo.Search(ctx, q)
	})
}

// Aggregate counts on the first target that answers.
func (r *Router) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	return route(ctx, r, func(ctx context.Context, repo *Repository) ([]domain.Group, domain.Read, error) {
		return repo.Aggregate(ctx, q)
	})
}

// Ping reports the service able to read when some target answers: the primary, or else
// any replica not known to be down. It returns the primary's error when none answers.
func (r *Router) Ping(ctx context.Context) error {
	err := r.primary.repo.Ping(ctx)
	if err == nil || ctx.Err() != nil {
		return err
	}
	for _, t := range r.replicas {
		if t.currentState() != stateDown && t.repo.Ping(ctx) == nil {
			return nil
		}
	}
	return err
}

// route runs read on the targets plan gives, in turn, until one answers: a target that
// could not answer (failover says which errors mean that) is skipped for the rest of this
// read, and marked down when its connection failed, until its next check succeeds.
func route[T any](ctx context.Context, r *Router, read func(context.Context, *Repository) (T, domain.Read, error)) (T, domain.Read, error) {
	var (
		out  T
		how  domain.Read
		err  error
		plan = r.plan()
	)
	for i, t := range plan {
		var abandoned bool
		out, how, err, abandoned = onTarget(ctx, t, read)
		retry, down := failover(ctx, err)
		retry = retry || abandoned
		r.metrics.read(t, outcome(ctx, err, retry))
		if down {
			r.markDown(t, err)
		}
		if !retry || i == len(plan)-1 {
			return out, how, err
		}
	}
	return out, how, err // unreachable: plan always holds the primary
}

// onTarget runs read on t, and abandons it (reporting so) when t is marked down
// meanwhile: a target that stalls (packets dropped, a server frozen) would otherwise hold
// its reads until the statement timeout, though its check finds it gone within two
// seconds and the read could be answered elsewhere.
func onTarget[T any](ctx context.Context, t *target, read func(context.Context, *Repository) (T, domain.Read, error)) (T, domain.Read, error, bool) {
	readCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(t.gone.Load().ctx, func() { cancel(errTargetDown) })
	defer stop()
	out, how, err := read(readCtx, t.repo)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(readCtx), errTargetDown) {
		// Not the caller's cancellation: the target's outage, should no target be left.
		return out, how, fmt.Errorf("postgres: read abandoned on %s: %w: %w", t.name, domain.ErrUnavailable, errTargetDown), true
	}
	return out, how, err, false
}

// plan is the order a read tries the targets in: the usable replicas, starting at the
// next in turn; then the primary; then, as a last resort when the primary does not
// answer either, the replicas that are behind or not yet checked (an answer from a
// lagging replica is late, not wrong). Replicas known to be down are left out.
func (r *Router) plan() []*target {
	n := len(r.replicas)
	start := int(r.next.Add(1) % uint64(n)) // #nosec G115 -- n is the small, positive number of replicas
	plan := make([]*target, 0, n+1)
	var late []*target
	for i := range n {
		t := r.replicas[(start+i)%n]
		switch t.currentState() {
		case stateUp:
			plan = append(plan, t)
		case stateLagging, stateUnknown:
			late = append(late, t)
		}
	}
	plan = append(plan, r.primary)
	return append(plan, late...)
}
