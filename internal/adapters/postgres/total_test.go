package postgres

import (
	"strconv"
	"testing"
	"time"

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

	page, _, err := repo.List(t.Context(), domain.ListQuery{Limit: 10})
	require.NoError(t, err)
	assert.True(t, page.TotalIsEstimate)
	assert.InEpsilon(t, 12_000, page.Total, 0.1, "the estimate is close (ANALYZE ran after the load)")
	assert.Len(t, page.Incidents, 10)
	assert.NotNil(t, page.Next)
	assert.Zero(t, repo.metrics.Queries("estimate"), "the whole table's size needs no planner")

	// A filter matching most of the table: the planner is asked once a minute at most.
	filtered := domain.ListQuery{Limit: 10, Filter: domain.Filter{Severities: []string{"critical", "warning", "info"}}}
	first, _, err := repo.List(t.Context(), filtered)
	require.NoError(t, err)
	assert.True(t, first.TotalIsEstimate)
	assert.InEpsilon(t, 12_000, first.Total, 0.1)
	again, _, err := repo.List(t.Context(), domain.ListQuery{Limit: 10, After: first.Next, Filter: filtered.Filter})
	require.NoError(t, err)
	assert.Equal(t, first.Total, again.Total)
	assert.True(t, again.TotalIsEstimate)
	assert.Equal(t, 1.0, repo.metrics.Queries("estimate"), "the next page reuses the estimate")

	// The last 100 minutes of a row-a-minute history: a narrow window, counted exactly.
	since := events[len(events)-100].StartTime
	recent, _, err := repo.List(t.Context(), domain.ListQuery{Limit: 10, Filter: domain.Filter{Since: &since}})
	require.NoError(t, err)
	assert.False(t, recent.TotalIsEstimate)
	assert.EqualValues(t, 100, recent.Total)

	none, _, err := repo.List(t.Context(), domain.ListQuery{Limit: 10, Filter: domain.Filter{Names: []string{"no such alert"}}})
	require.NoError(t, err)
	assert.False(t, none.TotalIsEstimate)
	assert.Zero(t, none.Total)
}

func TestEstimateMemoForgetsAfterAMinuteAndStaysBounded(t *testing.T) {
	var m estimateMemo
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key, ok := estimateKey(domain.Filter{Namespaces: []string{"x"}})
	require.True(t, ok)
	other, _ := estimateKey(domain.Filter{Namespaces: []string{"y"}})
	m.put(key, 42, now)
	rows, ok := m.get(key, now.Add(59*time.Second))
	assert.True(t, ok)
	assert.EqualValues(t, 42, rows)
	_, ok = m.get(other, now)
	assert.False(t, ok, "other arguments, another estimate")
	_, ok = m.get(key, now.Add(tableRowsTTL))
	assert.False(t, ok, "statistics may have changed since")

	for i := range estimatesKept + 1 {
		k, _ := estimateKey(domain.Filter{Names: []string{strconv.Itoa(i)}})
		m.put(k, int64(i), now)
	}
	assert.LessOrEqual(t, len(m.entries), estimatesKept)
}
