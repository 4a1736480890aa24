package client

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWaitsGrowWithJitterUpToTheCap(t *testing.T) {
	p := RetryPolicy{InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for _, tc := range []struct {
		retry        int
		lower, upper time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second}, // capped
		{60, 500 * time.Millisecond, time.Second},
	} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d, ok := p.wait(tc.retry, 0)
			assert.True(t, ok)
			assert.GreaterOrEqual(t, d, tc.lower, "retry %d", tc.retry)
			assert.LessOrEqual(t, d, tc.upper, "retry %d", tc.retry)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 50, "retry %d: the waits are spread", tc.retry)
	}
}

func TestWaitsHonourRetryAfter(t *testing.T) {
	p := RetryPolicy{InitialDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}.withDefaults()
	for range 100 {
		d, ok := p.wait(1, 2*time.Second)
		assert.True(t, ok)
		assert.GreaterOrEqual(t, d, 2*time.Second, "never sooner than asked")
		assert.LessOrEqual(t, d, 2*time.Second+50*time.Millisecond, "a little jitter only")

		d, ok = p.wait(7, time.Second) // the backoff is longer than the service asks
		assert.True(t, ok)
		assert.GreaterOrEqual(t, d, 2500*time.Millisecond)
	}
	_, ok := p.wait(1, 6*time.Second)
	assert.False(t, ok, "more than MaxDelay: no retry")
}

func TestRetryPolicyDefaults(t *testing.T) {
	assert.Equal(t, RetryPolicy{MaxAttempts: 4, InitialDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second}, RetryPolicy{}.withDefaults())
	assert.Equal(t, RetryPolicy{MaxAttempts: 1, InitialDelay: time.Second, MaxDelay: time.Second},
		RetryPolicy{MaxAttempts: 1, InitialDelay: time.Minute, MaxDelay: time.Second}.withDefaults(), "the first wait is capped too")
	assert.Error(t, RetryPolicy{MaxAttempts: -1}.validate())
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"1.5", 0},
		{"soon", 0},
		{"999999999999", 24 * time.Hour},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	} {
		assert.Equal(t, tc.want, parseRetryAfter(tc.header, now), "%q", tc.header)
	}
}
