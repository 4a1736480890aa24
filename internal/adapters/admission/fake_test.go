package admission

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// blockingRepo is a repository whose reads announce themselves on started and then
// block until the test sends on (or closes) release, or their context ends. Ping
// answers at once.
type blockingRepo struct {
	started chan string
	release chan struct{}
	running atomic.Int64
	peak    atomic.Int64
}

var _ ports.Repository = (*blockingRepo)(nil)

func newBlockingRepo() *blockingRepo {
	return &blockingRepo{started: make(chan string, 256), release: make(chan struct{})}
}

func (b *blockingRepo) block(ctx context.Context, name string) error {
	n := b.running.Add(1)
	defer b.running.Add(-1)
	for p := b.peak.Load(); n > p && !b.peak.CompareAndSwap(p, n); p = b.peak.Load() {
	}
	b.started <- name
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *blockingRepo) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	return domain.IncidentPage{}, domain.Read{}, b.block(ctx, "list")
}

func (b *blockingRepo) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	return domain.IncidentEvent{ID: q.ID}, domain.Read{}, b.block(ctx, fmt.Sprintf("get %d", q.ID))
}

func (b *blockingRepo) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	return nil, domain.Read{}, b.block(ctx, "search")
}

func (b *blockingRepo) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	return nil, domain.Read{}, b.block(ctx, "aggregate")
}

func (b *blockingRepo) Ping(context.Context) error { return nil }
