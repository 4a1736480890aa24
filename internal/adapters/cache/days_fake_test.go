package cache

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

func newRecordingRepo(next ports.Repository) *recordingRepo {
	return &recordingRepo{Repository: next, next: next}
}

// recordingRepo notes each aggregation that reaches it as its window and grouping,
// "<since>..<until> by [...]".
type recordingRepo struct {
	ports.Repository
	next ports.Repository

	mu    sync.Mutex
	calls []string
}

func (r *recordingRepo) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	bound := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	r.mu.Lock()
	r.calls = append(r.calls, fmt.Sprintf("%s..%s by %v", bound(q.Filter.Since), bound(q.Filter.Until), q.GroupBy))
	r.mu.Unlock()
	return r.next.Aggregate(ctx, q)
}

// take returns the calls noted since the last take, sorted (parts run side by side).
func (r *recordingRepo) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	slices.Sort(out)
	return out
}

// mutableRepo is a memory repository whose events a test changes between reads, as
// the writer of the real database does.
type mutableRepo struct {
	mu     sync.RWMutex
	events []domain.IncidentEvent
	repo   *memory.Repository
}

func newMutableRepo(events []domain.IncidentEvent) *mutableRepo {
	return &mutableRepo{events: events, repo: memory.NewRepository(events)}
}

// change applies fn to a copy of the events and serves the result from then on.
func (m *mutableRepo) change(fn func([]domain.IncidentEvent) []domain.IncidentEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = fn(slices.Clone(m.events))
	m.repo = memory.NewRepository(m.events)
}

func (m *mutableRepo) current() *memory.Repository {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.repo
}

func (m *mutableRepo) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	return m.current().List(ctx, q)
}

func (m *mutableRepo) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	return m.current().Get(ctx, q)
}

func (m *mutableRepo) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	return m.current().Search(ctx, q)
}

func (m *mutableRepo) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	return m.current().Aggregate(ctx, q)
}

func (m *mutableRepo) Ping(ctx context.Context) error { return m.current().Ping(ctx) }
