package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// countingLimiter allows `budget` requests per key, then refuses, recording the keys.
type countingLimiter struct {
	mu     sync.Mutex
	budget int
	spent  map[string]int
}

func (l *countingLimiter) Allow(key string) RateDecision {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.spent == nil {
		l.spent = map[string]int{}
	}
	l.spent[key]++
	remaining := l.budget - l.spent[key]
	if remaining < 0 {
		return RateDecision{RetryAfter: 1500 * time.Millisecond, Header: `"default";r=0;t=2`}
	}
	return RateDecision{Allowed: true, Header: fmt.Sprintf(`"default";r=%d;t=1`, remaining)}
}

func (l *countingLimiter) Policy() string { return fmt.Sprintf(`"default";q=%d;w=1`, l.budget) }

func TestRateLimitAnswers429PerPeerWithoutAuthentication(t *testing.T) {
	limiter := &countingLimiter{budget: 3}
	env := newEnvWith(t, fixtureRepo(), Config{RateLimiter: limiter})
	from := func(peer, forwarded string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/3", nil)
		req.RemoteAddr = peer + ":40000"
		req.Header.Set("X-Forwarded-For", forwarded)
		req.Header.Set("X-Real-Ip", forwarded)
		return env.do(t, req)
	}
	for i := range 3 {
		res := from("10.0.0.1", fmt.Sprintf("192.0.2.%d", i)) // a new spoofed address each time
		require.Equal(t, http.StatusOK, res.Code)
		assert.Equal(t, `"default";q=3;w=1`, res.Header().Get("RateLimit-Policy"))
		assert.Equal(t, fmt.Sprintf(`"default";r=%d;t=1`, 2-i), res.Header().Get("RateLimit"))
	}
	refused := from("10.0.0.1", "192.0.2.99")
	assert.Equal(t, http.StatusTooManyRequests, refused.Code)
	assert.Equal(t, contentTypeProblem, refused.Header().Get("Content-Type"))
	assert.Equal(t, "2", refused.Header().Get("Retry-After"), "1.5 s rounded up")
	assert.Equal(t, `"default";r=0;t=2`, refused.Header().Get("RateLimit"))
	assert.Equal(t, `"default";q=3;w=1`, refused.Header().Get("RateLimit-Policy"))
	assert.Contains(t, refused.Body.String(), "urn:contextapi:problem:rate-limited")

	assert.Equal(t, http.StatusOK, from("10.0.0.2", "10.0.0.1").Code, "another peer has its own budget")
	for range 5 {
		assert.Equal(t, http.StatusOK, env.get(t, "/health/ready").Code, "probes are never limited")
	}
	assert.Equal(t, map[string]int{"peer:10.0.0.1": 4, "peer:10.0.0.2": 1}, limiter.spent,
		"keyed by the connection's peer only, never by a forwarded header")
	assert.InDelta(t, 1, testutil.ToFloat64(env.srv.shed.WithLabelValues(shedRateLimit)), 0)
}

func TestRateLimitKeysOnThePrincipal(t *testing.T) {
	limiter := &countingLimiter{budget: 2 * len(guardedTargets)} // what the warm-up spends
	env, _ := newAuthEnv(t, Config{RateLimiter: limiter})
	assert.Equal(t, http.StatusTooManyRequests, env.doWithToken(t, "/api/v1/incidents/3", "Bearer good").Code,
		"the warm-up spent svc-good's budget")
	assert.Equal(t, http.StatusOK, env.doWithToken(t, "/api/v1/incidents/3", "Bearer ops").Code)
	assert.Equal(t, 2*len(guardedTargets)+1, limiter.spent["svc-good"])
	assert.Equal(t, 1, limiter.spent["svc-ops"])
	assert.NotContains(t, limiter.spent, "peer:192.0.2.1", "an authenticated request spends its principal's budget only")
}

// Refused credentials spend the peer's budget, so guessing tokens is rate limited too:
// past the budget the answer is 429, not another 401.
func TestRefusedCredentialsSpendThePeersBudget(t *testing.T) {
	limiter := &countingLimiter{budget: 2 * len(guardedTargets)}
	env, auth := newAuthEnv(t, Config{RateLimiter: limiter})
	for i := range 3 {
		res := env.doWithToken(t, "/api/v1/incidents/3", fmt.Sprintf("Bearer guess-%d", i))
		assert.Equal(t, http.StatusUnauthorized, res.Code)
		assert.NotEmpty(t, res.Header().Get("RateLimit"))
	}
	limiter.budget = 3 // the peer has spent it now
	asked := auth.calls.Load()
	res := env.doWithToken(t, "/api/v1/incidents/3", "Bearer guess-4")
	assert.Equal(t, http.StatusTooManyRequests, res.Code)
	assert.NotEmpty(t, res.Header().Get("Retry-After"))
	assert.Equal(t, asked+1, auth.calls.Load())
	assert.Equal(t, 4, limiter.spent["peer:192.0.2.1"])
	assert.Equal(t, http.StatusTooManyRequests, env.doWithToken(t, "/api/v1/incidents/3", "").Code,
		"no credentials at all spend the same budget")
}

// A read refused admission (too many queries under way) is a 503 problem of its own
// kind, asked back after a second, and counted as shed.
func TestOverloadIsA503OfItsOwn(t *testing.T) {
	repo := &stubRepo{Repository: fixtureRepo(), err: fmt.Errorf("admission: 32 queries under way: %w", domain.ErrOverloaded)}
	env := newEnvWith(t, repo, Config{})
	res := env.get(t, "/api/v1/incidents?limit=3")
	assert.Equal(t, http.StatusServiceUnavailable, res.Code)
	assert.Equal(t, "1", res.Header().Get("Retry-After"))
	assert.Contains(t, res.Body.String(), "urn:contextapi:problem:overloaded")
	assert.InDelta(t, 1, testutil.ToFloat64(env.srv.shed.WithLabelValues(shedOverload)), 0)
	assert.InDelta(t, 0, testutil.ToFloat64(env.srv.shed.WithLabelValues(shedRateLimit)), 0)
	assert.InDelta(t, 0, testutil.ToFloat64(env.srv.inFlight), 0, "nothing is left in flight")
}
