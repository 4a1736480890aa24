package httpapi

import (
	"context"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// stubRepo wraps a repository to make it fail, panic or wait.
type stubRepo struct {
	ports.Repository
	err     error         // returned by every method when set
	pingErr error         // returned by Ping when set
	panic   any           // panicked by every read when set
	gate    chan struct{} // when set, reads wait for it to close (or their context)
	entered chan struct{} // when set, receives once per read that started
}

func (r *stubRepo) before(ctx context.Context) error {
	if r.entered != nil {
		r.entered <- struct{}{}
	}
	if r.panic != nil {
		panic(r.panic)
	}
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return r.err
}

func (r *stubRepo) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	if err := r.before(ctx); err != nil {
		return domain.IncidentPage{}, domain.Read{}, err
	}
	return r.Repository.List(ctx, q)
}

func (r *stubRepo) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	if err := r.before(ctx); err != nil {
		return domain.IncidentEvent{}, domain.Read{}, err
	}
	return r.Repository.Get(ctx, q)
}

func (r *stubRepo) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	if err := r.before(ctx); err != nil {
		return nil, domain.Read{}, err
	}
	return r.Repository.Search(ctx, q)
}

func (r *stubRepo) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	if err := r.before(ctx); err != nil {
		return nil, domain.Read{}, err
	}
	return r.Repository.Aggregate(ctx, q)
}

func (r *stubRepo) Ping(ctx context.Context) error {
	if r.pingErr != nil {
		return r.pingErr
	}
	return r.Repository.Ping(ctx)
}
