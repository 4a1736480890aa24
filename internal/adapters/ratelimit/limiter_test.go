package ratelimit

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func newLimiter(clock *fakeClock, opts Options) *Limiter {
	opts.Now = clock.Now
	return New(opts)
}

func TestBurstThenRefusal(t *testing.T) {
	l := newLimiter(newClock(), Options{Rate: 10, Burst: 5})
	for i := range 5 {
		d := l.Allow("alice")
		assert.Equal(t, Decision{Allowed: true, Remaining: 4 - i, Reset: time.Duration(i+1) * 100 * time.Millisecond}, d, "request %d", i)
	}
	assert.Equal(t, Decision{RetryAfter: 100 * time.Millisecond, Reset: 500 * time.Millisecond}, l.Allow("alice"))
	assert.Equal(t, Decision{RetryAfter: 100 * time.Millisecond, Reset: 500 * time.Millisecond}, l.Allow("alice"),
		"a refused request spends nothing")
}

func TestATokenReturnsAfterOneOverRate(t *testing.T) {
	clock := newClock()
	l := newLimiter(clock, Options{Rate: 10, Burst: 2})
	l.Allow("alice")
	l.Allow("alice")

	clock.Advance(99 * time.Millisecond)
	assert.Equal(t, Decision{RetryAfter: time.Millisecond, Reset: 101 * time.Millisecond}, l.Allow("alice"))
	clock.Advance(time.Millisecond)
	assert.Equal(t, Decision{Allowed: true, Remaining: 0, Reset: 200 * time.Millisecond}, l.Allow("alice"))
	assert.Equal(t, Decision{RetryAfter: 100 * time.Millisecond, Reset: 200 * time.Millisecond}, l.Allow("alice"))

	clock.Advance(200 * time.Millisecond) // full again: Reset said so
	assert.Equal(t, Decision{Allowed: true, Remaining: 1, Reset: 100 * time.Millisecond}, l.Allow("alice"))
}

func TestAPartlyRefilledBucketCountsWholeTokens(t *testing.T) {
	clock := newClock()
	l := newLimiter(clock, Options{Rate: 2, Burst: 4})
	for range 4 {
		require.True(t, l.Allow("alice").Allowed)
	}
	clock.Advance(1250 * time.Millisecond) // 2.5 tokens back
	d := l.Allow("alice")
	assert.Equal(t, Decision{Allowed: true, Remaining: 1, Reset: 1250 * time.Millisecond}, d)
	assert.Equal(t, `"default";r=1;t=2`, d.Header())
	assert.True(t, l.Allow("alice").Allowed)
	assert.Equal(t, Decision{RetryAfter: 250 * time.Millisecond, Reset: 1750 * time.Millisecond}, l.Allow("alice"))
}

func TestKeysAreIndependent(t *testing.T) {
	l := newLimiter(newClock(), Options{Rate: 1, Burst: 2})
	assert.True(t, l.Allow("alice").Allowed)
	assert.True(t, l.Allow("alice").Allowed)
	assert.False(t, l.Allow("alice").Allowed)
	assert.Equal(t, Decision{Allowed: true, Remaining: 1, Reset: time.Second}, l.Allow("bob"))
	assert.False(t, l.Allow("alice").Allowed, "bob's request gave alice nothing")
}

func TestARateThatDoesNotDivideASecondIsExact(t *testing.T) {
	clock := newClock()
	l := newLimiter(clock, Options{Rate: 3, Burst: 3})
	const interval = 333_333_333 * time.Nanosecond // 1/3 s, truncated
	for range 3 {
		require.True(t, l.Allow("alice").Allowed)
	}
	d := l.Allow("alice")
	assert.Equal(t, Decision{RetryAfter: interval, Reset: 3 * interval}, d)
	assert.Equal(t, `"default";r=0;t=1`, d.Header(), "never past the window")
	assert.Equal(t, `"default";q=3;w=1`, l.Policy())

	clock.Advance(interval - 1)
	assert.Equal(t, Decision{RetryAfter: 1, Reset: 2*interval + 1}, l.Allow("alice"))
	clock.Advance(1) // waiting exactly RetryAfter is enough
	assert.True(t, l.Allow("alice").Allowed)
}

func TestDefaults(t *testing.T) {
	for rate, burst := range map[float64]int{2.5: 3, 0.2: 1, 10: 10, 1: 1} {
		l := New(Options{Rate: rate})
		assert.Equal(t, burst, l.burst, "rate %v", rate)
		assert.Equal(t, 100_000, l.maxKeys)
	}
	l := New(Options{Rate: 1})
	assert.True(t, l.Allow("alice").Allowed, "the default clock works")
	assert.False(t, l.Allow("alice").Allowed)
}

func TestNewRejectsOptionsNoLimiterCanHonour(t *testing.T) {
	for name, opts := range map[string]Options{
		"zero rate":       {Rate: 0},
		"negative rate":   {Rate: -1},
		"NaN rate":        {Rate: math.NaN()},
		"infinite rate":   {Rate: math.Inf(1)},
		"negative burst":  {Rate: 1, Burst: -1},
		"negative keys":   {Rate: 1, MaxKeys: -1},
		"endless window":  {Rate: 1e-12, Burst: 1},
		"window overflow": {Rate: 1e-6, Burst: math.MaxInt32},
	} {
		assert.Error(t, opts.Validate(), name)
		assert.Panics(t, func() { New(opts) }, name)
	}
}

func TestValidOptionsValidate(t *testing.T) {
	for _, opts := range []Options{{Rate: 1}, {Rate: 1e-6, Burst: 1000}, {Rate: 1e12}, {Rate: 0.5, Burst: 3, MaxKeys: 1}} {
		assert.NoError(t, opts.Validate(), "%+v", opts)
	}
}

func TestAFastRateStillAdmitsOnePerNanosecond(t *testing.T) {
	clock := newClock()
	l := newLimiter(clock, Options{Rate: 5e9, Burst: 1})
	assert.True(t, l.Allow("alice").Allowed)
	assert.Equal(t, Decision{RetryAfter: 1, Reset: 1}, l.Allow("alice"))
	clock.Advance(1)
	assert.True(t, l.Allow("alice").Allowed)
}
