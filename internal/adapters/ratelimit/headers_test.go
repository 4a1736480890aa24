package ratelimit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPolicy(t *testing.T) {
	for _, c := range []struct {
		rate  float64
		burst int
		want  string
	}{
		{10, 10, `"default";q=10;w=1`},
		{10, 25, `"default";q=25;w=3`}, // 2.5s, rounded up
		{0.5, 1, `"default";q=1;w=2`},
		{100, 1, `"default";q=1;w=1`}, // 10ms: at least a second
		{1.0 / 60, 5, `"default";q=5;w=300`},
	} {
		assert.Equal(t, c.want, New(Options{Rate: c.rate, Burst: c.burst}).Policy(), "rate %v burst %d", c.rate, c.burst)
	}
}

func TestDecisionHeader(t *testing.T) {
	for _, c := range []struct {
		d    Decision
		want string
	}{
		{Decision{Allowed: true, Remaining: 9, Reset: 100 * time.Millisecond}, `"default";r=9;t=1`},
		{Decision{Remaining: 0, RetryAfter: time.Second, Reset: 2 * time.Second}, `"default";r=0;t=2`},
		{Decision{Allowed: true, Remaining: 3, Reset: 2*time.Second + 1}, `"default";r=3;t=3`},
		{Decision{}, `"default";r=0;t=0`},
	} {
		assert.Equal(t, c.want, c.d.Header())
	}
}
