package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestListDefaultsAndCanonicalFilters(t *testing.T) {
	repo := &recordingRepo{}
	res, _, err := newTestService(repo).ListIncidents(context.Background(), Params{
		"severity":    {"warning", "critical", "warning"},
		"environment": {"staging", "production"},
		"phase":       {"failed", "completed"},
		"since":       {"2026-01-01T02:00:00+02:00"},
	})
	require.NoError(t, err)
	require.Len(t, repo.lists, 1)
	q := repo.lists[0]
	assert.Equal(t, 10, q.Limit)
	assert.Equal(t, 0, q.Offset)
	assert.Nil(t, q.After)
	assert.False(t, q.IncludeEmbedding)
	assert.Equal(t, []string{"critical", "warning"}, q.Filter.Severities, "sorted and deduplicated")
	assert.Equal(t, []string{"production", "staging"}, q.Filter.Environments)
	assert.Equal(t, []domain.Phase{"completed", "failed"}, q.Filter.Phases)
	require.NotNil(t, q.Filter.Since)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), *q.Filter.Since)
	assert.Equal(t, time.UTC, q.Filter.Since.Location())
	assert.Equal(t, []domain.IncidentEvent{}, res.Incidents, "never nil, so JSON says []")
	assert.Equal(t, "", res.NextCursor)
}

func TestListCursorRoundTrip(t *testing.T) {
	next := domain.Cursor{StartTime: time.Date(2026, 3, 1, 1, 2, 3, 456789000, time.UTC), ID: 42}
	repo := &recordingRepo{page: domain.IncidentPage{Total: 30, Next: &next}}
	svc := newTestService(repo)
	first, _, err := svc.ListIncidents(context.Background(), Params{"limit": {"25"}, "include": {"embedding"}})
	require.NoError(t, err)
	require.NotEmpty(t, first.NextCursor)
	assert.Equal(t, 25, first.Limit)
	assert.Equal(t, int64(30), first.Total)
	assert.True(t, repo.lists[0].IncludeEmbedding)

	_, _, err = svc.ListIncidents(context.Background(), Params{"cursor": {first.NextCursor}})
	require.NoError(t, err)
	require.NotNil(t, repo.lists[1].After)
	assert.Equal(t, next, *repo.lists[1].After)

	other := NewService(repo, time.Now, NewCursorCodec([]byte("another secret")))
	_, _, err = other.ListIncidents(context.Background(), Params{"cursor": {first.NextCursor}})
	requireFieldError(t, err, "cursor")
}

func TestRepositoryErrorsAreWrapped(t *testing.T) {
	boom := errors.New("connection reset")
	repo := &recordingRepo{err: errors.Join(domain.ErrUnavailable, boom)}
	_, _, err := newTestService(repo).ListIncidents(context.Background(), nil)
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	assert.ErrorIs(t, newTestService(repo).Ping(context.Background()), domain.ErrUnavailable)
}

func TestSimilarIncidents(t *testing.T) {
	emb := make([]float32, domain.EmbeddingDimensions)
	emb[1] = 0.5
	t.Run("searches with the stored embedding, excluding the incident", func(t *testing.T) {
		repo := &recordingRepo{incident: domain.IncidentEvent{ID: 9, Embedding: emb}}
		res, _, err := newTestService(repo).SimilarIncidents(context.Background(), "9",
			Params{"limit": {"3"}, "threshold": {"0.5"}, "namespace": {"prod"}})
		require.NoError(t, err)
		require.Len(t, repo.gets, 1)
		assert.Equal(t, domain.GetQuery{ID: 9, IncludeEmbedding: true}, repo.gets[0])
		require.Len(t, repo.searches, 1)
		q := repo.searches[0]
		assert.Equal(t, emb, q.Embedding)
		assert.Equal(t, []int64{9}, q.ExcludeIDs)
		assert.Equal(t, 3, q.Limit)
		assert.InDelta(t, 0.5, q.Threshold, 0)
		assert.Equal(t, []string{"prod"}, q.Filter.Namespaces)
		assert.Equal(t, 3, res.Limit)
		assert.NotNil(t, res.Incidents)
	})
	t.Run("an incident without embedding has no similar incidents", func(t *testing.T) {
		repo := &recordingRepo{incident: domain.IncidentEvent{ID: 9}}
		res, _, err := newTestService(repo).SimilarIncidents(context.Background(), "9", nil)
		require.NoError(t, err)
		assert.Equal(t, []domain.ScoredIncident{}, res.Incidents)
		assert.Equal(t, 10, res.Limit)
		assert.Empty(t, repo.searches)
	})
	t.Run("unknown incident", func(t *testing.T) {
		repo := &recordingRepo{getErr: domain.ErrNotFound}
		_, _, err := newTestService(repo).SimilarIncidents(context.Background(), "9", nil)
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestSemanticSearchDefaults(t *testing.T) {
	repo := &recordingRepo{}
	res, _, err := newTestService(repo).SemanticSearch(context.Background(), SemanticRequest{
		Embedding: unitVector(), Filters: Params{"namespace": {"b", "a"}},
	})
	require.NoError(t, err)
	q := repo.searches[0]
	assert.Equal(t, 10, q.Limit)
	assert.InDelta(t, 0.7, q.Threshold, 0)
	assert.Equal(t, []string{"a", "b"}, q.Filter.Namespaces)
	assert.Len(t, q.Embedding, domain.EmbeddingDimensions)
	assert.Equal(t, 10, res.Limit)
	assert.Equal(t, []domain.ScoredIncident{}, res.Incidents)
}
