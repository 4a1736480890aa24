package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// Large results report the planner's estimate, flagged; small ones an exact count.
func TestTotalsAreExactWhenSmallAndEstimatedWhenLarge(t *testing.T) {
	base := make([]float32, domain.EmbeddingDimensions)
	base[0] = 1
	events := manyIncidents(12_000, base)
	repo := openLoaded(t, events)

	page, err := repo.List(t.Context(), domain.ListQuery{Limit: 10})
	require.NoError(t, err)
	assert.True(t, page.TotalIsEstimate)
	assert.InEpsilon(t, 12_000, page.Total, 0.1, "the estimate is close (ANALYZE ran after the load)")
	assert.Len(t, page.Incidents, 10)
	assert.NotNil(t, page.Next)

	// The last 100 minutes of a row-a-minute history: a narrow window, counted exactly.
	since := events[len(events)-100].StartTime
	recent, err := repo.List(t.Context(), domain.ListQuery{Limit: 10, Filter: domain.Filter{Since: &since}})
	require.NoError(t, err)
	assert.False(t, recent.TotalIsEstimate)
	assert.EqualValues(t, 100, recent.Total)

	none, err := repo.List(t.Context(), domain.ListQuery{Limit: 10, Filter: domain.Filter{Names: []string{"no such alert"}}})
	require.NoError(t, err)
	assert.False(t, none.TotalIsEstimate)
	assert.Zero(t, none.Total)
}
