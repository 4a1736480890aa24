package ratelimit

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTheKeyBoundEvictsTheLeastRecentlyUsed(t *testing.T) {
	clock := newClock()
	reg := prometheus.NewRegistry()
	l := newLimiter(clock, Options{Rate: 1, Burst: 2, MaxKeys: 3, Registerer: reg})
	for _, key := range []string{"a", "b", "c"} {
		l.Allow(key)
		l.Allow(key) // empty: none of them is idle
	}
	l.Allow("a") // refused, but used: b is now the least recently used
	assert.True(t, l.Allow("d").Allowed)
	assert.Equal(t, 3, l.keys())
	assert.InDelta(t, 1, testutil.ToFloat64(l.metrics.evictions), 0)

	assert.False(t, l.Allow("a").Allowed, "a was kept")
	assert.False(t, l.Allow("c").Allowed, "c was kept")
	assert.Equal(t, Decision{Allowed: true, Remaining: 1, Reset: time.Second}, l.Allow("b"), "an evicted key starts full")
	assert.Equal(t, 3, l.keys())
	assert.InDelta(t, 2, testutil.ToFloat64(l.metrics.evictions), 0, "b came back by evicting d")

	n, err := testutil.GatherAndCount(reg, "contextapi_ratelimit_keys", "contextapi_ratelimit_evictions_total")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP contextapi_ratelimit_keys Keys (principals or peer addresses) whose rate-limit budget is tracked.
# TYPE contextapi_ratelimit_keys gauge
contextapi_ratelimit_keys 3
`), "contextapi_ratelimit_keys"))
}

func TestIdleKeysAreDropped(t *testing.T) {
	clock := newClock()
	l := newLimiter(clock, Options{Rate: 1, Burst: 1, MaxKeys: 100})
	for _, key := range []string{"a", "b", "c"} {
		l.Allow(key)
	}
	clock.Advance(time.Second) // every bucket is full again: the same as none
	l.Allow("d")
	assert.Equal(t, 2, l.keys(), "at most two idle keys go per call: a and b")
	l.Allow("d")
	assert.Equal(t, 1, l.keys(), "then c")
	clock.Advance(999 * time.Millisecond)
	l.Allow("e")
	assert.Equal(t, 2, l.keys(), "d is still refilling, so it stays")
	assert.InDelta(t, 0, testutil.ToFloat64(l.metrics.evictions), 0, "dropping idle keys evicts nobody")
}

func TestMemoryStaysBoundedUnderManyKeys(t *testing.T) {
	l := newLimiter(newClock(), Options{Rate: 1, Burst: 1, MaxKeys: 10})
	for i := range 1000 {
		l.Allow(fmt.Sprint(i))
		require.LessOrEqual(t, l.keys(), 10)
	}
	assert.Len(t, l.buckets, 10)
	assert.Equal(t, 10, l.lru.Len())
	assert.InDelta(t, 990, testutil.ToFloat64(l.metrics.evictions), 0)
}

func TestConcurrentCallersShareOneBudget(t *testing.T) {
	l := newLimiter(newClock(), Options{Rate: 1, Burst: 50, MaxKeys: 8})
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if l.Allow("shared").Allowed {
				allowed.Add(1)
			}
		})
	}
	for i := range 200 { // four other keys meanwhile, within the bound
		wg.Go(func() { l.Allow(fmt.Sprint("k", i%4)) })
	}
	wg.Wait()
	assert.EqualValues(t, 50, allowed.Load(), "the clock stood still: exactly Burst requests pass")
	assert.LessOrEqual(t, l.keys(), 8)
}
