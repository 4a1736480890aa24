package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
)

// With nothing to decide first (no authentication, client certificates, rate limit or
// tracing), a remembered answer is served before Echo: the same bytes and headers, one
// look-up per request (a miss is not looked up again inside Echo), and the request
// counted and logged under its route template as on the full path.
func TestRememberedAnswersAreServedBeforeEcho(t *testing.T) {
	env, _, _, c := newCachedEnv(t)
	store := &lookupStore{ResponseStore: cache.NewResponses[*Replayable](c)}
	env.srv.CacheResponses(store)
	require.True(t, env.srv.direct)
	const target, route = "/api/v1/incidents?limit=2", "/api/v1/incidents"

	first := env.get(t, target)
	require.Equal(t, http.StatusOK, first.Code)
	assert.Len(t, store.lookups, 1, "a miss is looked up once, before Echo")
	c.Wait()

	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set(headerRequestID, "caller-id-1")
	second := env.do(t, req)
	assert.Len(t, store.lookups, 2)
	assert.Equal(t, "contextapi; hit", second.Header().Get(headerCacheStatus))
	assert.Equal(t, "caller-id-1", second.Header().Get(headerRequestID))
	assert.Equal(t, first.Body.String(), second.Body.String())
	for _, h := range []string{"Content-Type", "Content-Length", headerLink} {
		assert.Equal(t, first.Header().Values(h), second.Header().Values(h), h)
	}
	require.NotEmpty(t, first.Header().Get(headerLink), "the page has a next one: its Link is replayed")

	head := httptest.NewRecorder() // the OpenAPI check of env.do knows GET; HEAD is its twin (head_test.go)
	env.srv.ServeHTTP(head, httptest.NewRequest(http.MethodHead, target, nil))
	assert.Equal(t, http.StatusOK, head.Code)
	assert.Equal(t, first.Header().Get("Content-Length"), head.Header().Get("Content-Length"))
	assert.Len(t, store.lookups, 3)

	assert.InDelta(t, 2, testutil.ToFloat64(env.srv.requests.WithLabelValues("GET", route, "200")), 0)
	assert.InDelta(t, 1, testutil.ToFloat64(env.srv.requests.WithLabelValues("HEAD", route, "200")), 0)
	assert.InDelta(t, 0, testutil.ToFloat64(env.srv.inFlight), 0)
	lines := env.logs.lines(t)
	var replayed []map[string]any
	for _, l := range lines {
		if l["msg"] == "request" {
			replayed = append(replayed, l)
		}
	}
	require.Len(t, replayed, 3)
	got := replayed[1]
	assert.Equal(t, "GET", got["method"])
	assert.Equal(t, route, got["route"])
	assert.Equal(t, "/api/v1/incidents", got["path"])
	assert.EqualValues(t, 200, got["status"])
	assert.Equal(t, "caller-id-1", got["request_id"])
	assert.Equal(t, strconv.Itoa(first.Body.Len()), strconv.Itoa(int(got["bytes"].(float64))))
	assert.Equal(t, "INFO", got["level"])
}

// Anything to decide or trace before a replay keeps it inside Echo's chain, after the
// guard, the rate limit and the span.
func TestRememberedAnswersAreReplayedInsideEchoWhenAccessIsDecided(t *testing.T) {
	env, _ := newAuthEnv(t, Config{})
	c, err := cache.New(fixtureRepo(), cache.Options{})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	env.srv.CacheResponses(cache.NewResponses[*Replayable](c))
	assert.False(t, env.srv.direct)
	limited := newEnvWith(t, fixtureRepo(), Config{RateLimiter: fixedLimiter{allow: true}})
	limited.srv.CacheResponses(cache.NewResponses[*Replayable](c))
	assert.False(t, limited.srv.direct)
}
