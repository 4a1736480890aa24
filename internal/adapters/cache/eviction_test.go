package cache

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// A scan of many one-off queries must not push out the queries asked again and again:
// ristretto's admission policy (TinyLFU) keeps the frequently used set.
func TestEvictionKeepsTheHotSet(t *testing.T) {
	if raceEnabled {
		// ristretto samples reads through sync.Pool, which the race detector empties on
		// purpose, so under -race the policy sees no reads at all. scripts/test.sh runs
		// this test again without -race.
		t.Skip("needs a build without -race (scripts/test.sh runs it so)")
	}
	e := newEnv(t, Options{MaxBytes: 96 << 10})
	ctx := context.Background()
	hot := make([]domain.GetQuery, 8)
	for i := range hot {
		hot[i] = domain.GetQuery{ID: int64(i + 1), IncludeEmbedding: true} // ~2 KiB each
	}
	for range 20 {
		for _, q := range hot {
			_, _, err := e.cache.Get(ctx, q)
			require.NoError(t, err)
		}
	}
	loadsBefore := e.repo.gets.Load()

	// Cold traffic: 2,000 distinct list pages asked once each, far more than the budget.
	for i := range 2000 {
		_, _, err := e.cache.List(ctx, domain.ListQuery{Limit: 10, Offset: i % 10_000, Filter: domain.Filter{Names: []string{string(rune('a' + i%26))}}})
		require.NoError(t, err)
	}
	e.cache.Wait()

	for _, q := range hot {
		_, _, err := e.cache.Get(ctx, q)
		require.NoError(t, err)
	}
	reloaded := e.repo.gets.Load() - loadsBefore
	assert.LessOrEqual(t, reloaded, int64(2), "at most a quarter of the hot set was lost to the scan")
	cost := e.cache.store.Metrics.CostAdded() - e.cache.store.Metrics.CostEvicted()
	assert.LessOrEqual(t, cost, uint64(96<<10), "the memory bound holds")
	assert.Positive(t, e.cache.store.Metrics.KeysEvicted()+e.cache.store.Metrics.SetsRejected(), "the budget forced choices")
}
