package memory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

func TestRepositoryContract(t *testing.T) {
	porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		return memory.NewRepository(events)
	})
}

func TestNewRepositoryCopiesItsInput(t *testing.T) {
	events := porttest.Fixture(porttest.FixtureNow)
	repo := memory.NewRepository(events)
	want := porttest.Fixture(porttest.FixtureNow)[22] // id 23

	*events[22].Namespace = "changed"
	events[22].Embedding[0] = 42
	events[22].Metadata[0] = '['
	events[22].Name = "changed"
	events[0] = domain.IncidentEvent{ID: 1}

	got, _, err := repo.Get(t.Context(), domain.GetQuery{ID: 23, IncludeEmbedding: true})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	got, _, err = repo.Get(t.Context(), domain.GetQuery{ID: 1})
	require.NoError(t, err)
	assert.Equal(t, "HighMemoryUsage", got.Name)
}

func TestNewRepositorySortsAndNormalises(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*3600)
	base := time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)
	end := base.Add(time.Minute).In(berlin)
	repo := memory.NewRepository([]domain.IncidentEvent{
		{ID: 1, StartTime: base.Add(-time.Hour)},
		{ID: 2, StartTime: base.In(berlin), EndTime: &end},
		{ID: 3, StartTime: base},
	})
	page, _, err := repo.List(t.Context(), domain.ListQuery{Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 2, 1}, []int64{page.Incidents[0].ID, page.Incidents[1].ID, page.Incidents[2].ID})
	assert.Equal(t, time.UTC, page.Incidents[1].StartTime.Location())
	assert.Equal(t, time.UTC, page.Incidents[1].EndTime.Location())
	assert.Equal(t, berlin, end.Location(), "the caller's value is untouched")
}

func TestRepositoryConcurrentReaders(t *testing.T) {
	repo := memory.NewRepository(porttest.Fixture(porttest.FixtureNow))
	ctx := t.Context()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				page, _, err := repo.List(ctx, domain.ListQuery{Limit: 1 + (g+i)%25, IncludeEmbedding: true})
				assert.NoError(t, err)
				assert.EqualValues(t, 25, page.Total)
				e, _, err := repo.Get(ctx, domain.GetQuery{ID: int64(1 + (g+i)%25), IncludeEmbedding: true})
				assert.NoError(t, err)
				if e.Embedding != nil {
					e.Embedding[0]++ // a reader scribbling on its copy must not race with others
				}
				found, _, err := repo.Search(ctx, domain.SemanticQuery{
					Embedding: porttest.FamilyVector(porttest.FamilyMemory), Limit: 4, Threshold: 0.9, IncludeEmbedding: true,
				})
				assert.NoError(t, err)
				assert.Len(t, found, 4)
				groups, _, err := repo.Aggregate(ctx, domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimStatus}})
				assert.NoError(t, err)
				assert.Len(t, groups, 7)
			}
		})
	}
	wg.Wait()
}

func TestRepositoryHonoursCancelledContext(t *testing.T) {
	repo := memory.NewRepository(porttest.Fixture(porttest.FixtureNow))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	_, _, err := repo.List(ctx, domain.ListQuery{Limit: 10})
	assert.ErrorIs(t, err, context.Canceled)
	_, _, err = repo.Get(ctx, domain.GetQuery{ID: 1})
	assert.ErrorIs(t, err, context.Canceled)
	_, _, err = repo.Search(ctx, domain.SemanticQuery{Embedding: porttest.FamilyVector(porttest.FamilyCPU), Limit: 10})
	assert.ErrorIs(t, err, context.Canceled)
	_, _, err = repo.Aggregate(ctx, domain.AggregateQuery{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, repo.Ping(ctx), context.Canceled)

	expired, cancel := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancel()
	assert.ErrorIs(t, repo.Ping(expired), context.DeadlineExceeded)
}

func TestRepositoryErrors(t *testing.T) {
	repo := memory.NewRepository(porttest.Fixture(porttest.FixtureNow))
	ctx := t.Context()

	_, _, err := repo.Get(ctx, domain.GetQuery{ID: 404})
	require.ErrorIs(t, err, domain.ErrNotFound)
	assert.EqualError(t, err, "memory: get incident 404: not found")

	tests := []struct {
		name string
		call func() error
	}{
		{"list without a limit", func() error { _, _, err := repo.List(ctx, domain.ListQuery{}); return err }},
		{"list with a negative offset", func() error { _, _, err := repo.List(ctx, domain.ListQuery{Limit: 1, Offset: -1}); return err }},
		{"search without a limit", func() error {
			_, _, err := repo.Search(ctx, domain.SemanticQuery{Embedding: porttest.FamilyVector(porttest.FamilyCPU)})
			return err
		}},
		{"search with a zero vector", func() error {
			_, _, err := repo.Search(ctx, domain.SemanticQuery{Embedding: make([]float32, domain.EmbeddingDimensions), Limit: 1})
			return err
		}},
		{"search with no vector", func() error { _, _, err := repo.Search(ctx, domain.SemanticQuery{Limit: 1}); return err }},
		{"aggregate by an unknown dimension", func() error {
			_, _, err := repo.Aggregate(ctx, domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimDay, "cluster"}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.call(), domain.ErrInvalidArgument)
		})
	}
}
