package memory_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/domain"
)

// TestSearchSkipsUnusableEmbeddings covers stored vectors the database could never hold
// (another length, non-finite values) but a hand-built memory store might.
func TestSearchSkipsUnusableEmbeddings(t *testing.T) {
	start := time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)
	nan := float32(math.NaN())
	repo := memory.NewRepository([]domain.IncidentEvent{
		{ID: 1, StartTime: start, Embedding: []float32{1, 0, 0}},
		{ID: 2, StartTime: start, Embedding: []float32{3, 4, 0}},  // cosine 0.6 to (1, 0, 0)
		{ID: 3, StartTime: start, Embedding: []float32{-2, 0, 0}}, // cosine −1
		{ID: 4, StartTime: start, Embedding: []float32{1, 0}},     // another length
		{ID: 5, StartTime: start, Embedding: []float32{nan, 0, 0}},
		{ID: 6, StartTime: start, Embedding: []float32{0, 0, 0}},
		{ID: 7, StartTime: start},
	})
	found, _, err := repo.Search(t.Context(), domain.SemanticQuery{Embedding: []float32{2, 0, 0}, Limit: 10, Threshold: -1})
	require.NoError(t, err)
	require.Len(t, found, 3)
	assert.Equal(t, []int64{1, 2, 3}, []int64{found[0].Incident.ID, found[1].Incident.ID, found[2].Incident.ID})
	assert.Equal(t, 1.0, found[0].Similarity)
	assert.InDelta(t, 0.6, found[1].Similarity, 1e-12)
	assert.Equal(t, -1.0, found[2].Similarity)

	found, _, err = repo.Search(t.Context(), domain.SemanticQuery{Embedding: []float32{1, 0, 0}, Limit: 10, Threshold: 0.6})
	require.NoError(t, err)
	assert.Len(t, found, 2, "the threshold is inclusive")
}

func TestSearchRejectsQueriesWithoutDirection(t *testing.T) {
	repo := memory.NewRepository(nil)
	inf := float32(math.Inf(1))
	for _, v := range [][]float32{nil, {0, 0}, {inf, 1}, {float32(math.NaN()), 1}} {
		_, _, err := repo.Search(t.Context(), domain.SemanticQuery{Embedding: v, Limit: 1})
		assert.ErrorIs(t, err, domain.ErrInvalidArgument, "%v", v)
	}
}
