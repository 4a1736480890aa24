package cache

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// waitShared waits until n callers have joined a load under way.
func (e *env) waitShared(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return testutil.ToFloat64(e.cache.metrics.shared) >= float64(n) },
		5*time.Second, time.Millisecond)
}

// Upstream scenario 08, re-expressed: N concurrent identical misses run each statement
// once, and every caller gets the same answer.
func TestConcurrentIdenticalMissesLoadOnce(t *testing.T) {
	for _, n := range []int{10, 500} {
		t.Run("", func(t *testing.T) {
			e := newEnv(t, Options{})
			release := e.repo.hold()
			q := domain.ListQuery{Limit: 10}
			pages := make([]domain.IncidentPage, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					p, _, err := e.cache.List(context.Background(), q)
					assert.NoError(t, err)
					pages[i] = p
				})
			}
			e.waitShared(t, n-1)
			release()
			wg.Wait()
			assert.EqualValues(t, 1, e.repo.lists.Load(), "one execution for %d callers", n)
			for _, p := range pages {
				assert.Equal(t, pages[0], p)
			}
			assert.Len(t, pages[0].Incidents, 10)
			assert.EqualValues(t, 25, pages[0].Total)
		})
	}
}

// Scenario 08's second case: two parameter sets, five callers each: one load per set.
func TestConcurrentMissesOfTwoQueriesLoadOnceEach(t *testing.T) {
	e := newEnv(t, Options{})
	release := e.repo.hold()
	var wg sync.WaitGroup
	for i := range 10 {
		ns := []string{"production", "staging"}[i%2]
		wg.Go(func() {
			_, _, err := e.cache.List(context.Background(), domain.ListQuery{Limit: 10, Filter: domain.Filter{Namespaces: []string{ns}}})
			assert.NoError(t, err)
		})
	}
	e.waitShared(t, 8)
	release()
	wg.Wait()
	assert.EqualValues(t, 2, e.repo.lists.Load())
}

func TestTheLeaderLeavingDoesNotFailTheOthers(t *testing.T) {
	e := newEnv(t, Options{})
	release := e.repo.hold()
	q := domain.GetQuery{ID: 4}
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, _, err := e.cache.Get(leaderCtx, q)
		leaderErr <- err
	}()
	require.Eventually(t, func() bool { return e.repo.gets.Load() == 1 }, 5*time.Second, time.Millisecond)
	var wg sync.WaitGroup
	results := make([]domain.IncidentEvent, 5)
	for i := range results {
		wg.Go(func() {
			got, _, err := e.cache.Get(context.Background(), q)
			assert.NoError(t, err)
			results[i] = got
		})
	}
	e.waitShared(t, 5)
	cancelLeader()
	assert.ErrorIs(t, <-leaderErr, context.Canceled, "the leader's own caller gets its cancellation")
	release()
	wg.Wait()
	for _, r := range results {
		assert.EqualValues(t, 4, r.ID)
	}
	assert.EqualValues(t, 1, e.repo.gets.Load())
	assert.EqualValues(t, 0, e.repo.cancelled.Load(), "the shared load was not cancelled")
}

func TestTheLoadIsCancelledWhenEveryCallerHasGone(t *testing.T) {
	e := newEnv(t, Options{})
	defer e.repo.hold()() // never released before every caller leaves
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			_, _, err := e.cache.Aggregate(ctx, domain.AggregateQuery{})
			assert.ErrorIs(t, err, context.Canceled)
		})
	}
	e.waitShared(t, 2)
	cancel()
	wg.Wait()
	require.Eventually(t, func() bool { return e.repo.cancelled.Load() == 1 }, 5*time.Second, time.Millisecond,
		"the database call saw its context cancelled")
}
