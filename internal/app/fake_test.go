package app

import (
	"context"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// recordingRepo remembers the queries it receives and answers with canned data, so tests
// see exactly what the app hands to adapters.
type recordingRepo struct {
	lists      []domain.ListQuery
	gets       []domain.GetQuery
	searches   []domain.SemanticQuery
	aggregates []domain.AggregateQuery

	page     domain.IncidentPage
	incident domain.IncidentEvent
	getErr   error
	found    []domain.ScoredIncident
	groups   []domain.Group
	err      error
	// read is how every read says it was answered (the zero Read: no cache involved).
	read domain.Read
}

func (r *recordingRepo) List(_ context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	r.lists = append(r.lists, q)
	return r.page, r.read, r.err
}

func (r *recordingRepo) Get(_ context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	r.gets = append(r.gets, q)
	if r.getErr != nil {
		return domain.IncidentEvent{}, domain.Read{}, r.getErr
	}
	return r.incident, r.read, r.err
}

func (r *recordingRepo) Search(_ context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	r.searches = append(r.searches, q)
	return r.found, r.read, r.err
}

func (r *recordingRepo) Aggregate(_ context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	r.aggregates = append(r.aggregates, q)
	return r.groups, r.read, r.err
}

func (r *recordingRepo) Ping(ctx context.Context) error { return r.err }

var testNow = time.Date(2026, 3, 10, 15, 4, 5, 0, time.UTC)

func newTestService(repo *recordingRepo) *Service {
	return NewService(repo, func() time.Time { return testNow }, NewCursorCodec([]byte("k")))
}

func ptr[T any](v T) *T { return &v }

func unitVector() []float64 {
	v := make([]float64, domain.EmbeddingDimensions)
	v[0] = 1
	return v
}
