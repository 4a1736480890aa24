package httpapi

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
)

// headTargets gives a request for every GET route, by route template. A GET route
// added without one fails TestHeadAnswersAsGetOnEveryGetRoute.
var headTargets = map[string]string{
	"/api/v1/incidents":                                   "/api/v1/incidents?limit=3&severity=critical", // a page with a Link
	"/api/v1/context/query":                               "/api/v1/context/query?severity=critical",
	"/api/v1/incidents/:id":                               "/api/v1/incidents/3",
	"/api/v1/incidents/:id/similar":                       "/api/v1/incidents/3/similar",
	"/api/v1/aggregations/success-rate":                   "/api/v1/aggregations/success-rate",
	"/api/v1/aggregations/namespaces":                     "/api/v1/aggregations/namespaces",
	"/api/v1/aggregations/severity":                       "/api/v1/aggregations/severity",
	"/api/v1/aggregations/trend":                          "/api/v1/aggregations/trend",
	"/api/v1/context/remediation/:remediation_request_id": "/api/v1/context/remediation/test-rr-017",
	"/api/v1/context/historical":                          "/api/v1/context/historical?namespace=production&targetType=deployment&targetName=webapp",
	"/health":                                             "/health",
	"/health/live":                                        "/health/live",
	"/livez":                                              "/livez",
	"/health/ready":                                       "/health/ready",
	"/readyz":                                             "/readyz",
	"/metrics":                                            "/metrics",
	"/openapi.json":                                       "/openapi.json",
}

// wireAnswer is one response as it arrived on the wire.
type wireAnswer struct {
	status int
	header http.Header
	body   []byte
}

// liveServer serves env's server on a real listener. httptest.ResponseRecorder keeps
// whatever a handler writes, while net/http discards the body of a HEAD answer: only a
// listener shows what a client receives.
func liveServer(t *testing.T, env *testEnv) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(env.srv)
	t.Cleanup(ts.Close)
	return ts
}

// roundTrips sends target with each method in turn, pipelined on one HTTP/1.1
// connection and with the same X-Request-Id, and reads the answers as they arrive. A
// HEAD answer is read without a body, so any byte sent after its headers would be
// parsed as the start of the next answer and fail it: that is what proves a HEAD
// answer has no body on the wire.
func roundTrips(t *testing.T, ts *httptest.Server, target string, methods ...string) []wireAnswer {
	t.Helper()
	addr := ts.Listener.Addr().String()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	for _, m := range methods {
		_, err := fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nX-Request-Id: head-test\r\n\r\n", m, target, addr)
		require.NoError(t, err)
	}
	br := bufio.NewReader(conn)
	out := make([]wireAnswer, 0, len(methods))
	for _, m := range methods {
		res, err := http.ReadResponse(br, &http.Request{Method: m})
		require.NoError(t, err, "%s %s", m, target)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		out = append(out, wireAnswer{status: res.StatusCode, header: res.Header, body: body})
	}
	return out
}

// headAndGet sends HEAD, then GET, of target.
func headAndGet(t *testing.T, ts *httptest.Server, target string) (head, get wireAnswer) {
	t.Helper()
	a := roundTrips(t, ts, target, http.MethodHead, http.MethodGet)
	return a[0], a[1]
}

// requireSameAnswer checks a HEAD answer is its GET's without the body: the same status
// and headers (but the Date), Content-Length the GET body's length when the GET sends
// one, and not a byte of body.
func requireSameAnswer(t *testing.T, head, get wireAnswer, except ...string) {
	t.Helper()
	require.Equal(t, get.status, head.status)
	assert.Equal(t, "head-test", head.header.Get("X-Request-Id"))
	want, got := get.header.Clone(), head.header.Clone()
	for _, h := range append([]string{"Date"}, except...) {
		want.Del(h)
		got.Del(h)
	}
	assert.Equal(t, want, got)
	if cl := get.header.Get("Content-Length"); cl != "" {
		assert.Equal(t, strconv.Itoa(len(get.body)), cl, "the GET's Content-Length is its body's")
		assert.Equal(t, cl, head.header.Get("Content-Length"))
	}
	assert.Empty(t, head.body)
}

// TestHeadAnswersAsGetOnEveryGetRoute checks HEAD, on every GET route, answers the GET's
// status and headers, Content-Length included, without a body (docs/api.md §3).
func TestHeadAnswersAsGetOnEveryGetRoute(t *testing.T) {
	env := newEnv(t)
	ts := liveServer(t, env)
	gets := 0
	for _, r := range env.srv.echo.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		gets++
		target, ok := headTargets[r.Path]
		require.True(t, ok, "GET %s has no request in headTargets", r.Path)
		t.Run(r.Path, func(t *testing.T) {
			head, get := headAndGet(t, ts, target)
			require.Equal(t, http.StatusOK, get.status, string(get.body))
			require.NotEmpty(t, get.body)
			if r.Path == "/metrics" {
				// Streamed, and its counters moved between the two requests: no length.
				assert.Empty(t, get.header.Get("Content-Length"))
			} else {
				assert.NotEmpty(t, get.header.Get("Content-Length"), "a body built whole says its length")
			}
			requireSameAnswer(t, head, get)
		})
	}
	assert.Equal(t, len(headTargets), gets)

	t.Run("a body over net/http's buffer keeps its length", func(t *testing.T) {
		head, get := headAndGet(t, ts, "/openapi.json")
		require.Greater(t, len(get.body), 2048, "net/http only measures bodies within its 2 KiB buffer itself")
		assert.Equal(t, strconv.Itoa(len(get.body)), head.header.Get("Content-Length"))
	})
	t.Run("a page keeps its Link", func(t *testing.T) {
		head, _ := headAndGet(t, ts, headTargets["/api/v1/incidents"])
		assert.Contains(t, head.header.Get("Link"), `rel="next"`)
	})
}

// TestHeadAnswersProblemsAsGet checks refusals: a HEAD gets the GET's problem status and
// headers (Allow on a 405 included), without the problem document.
func TestHeadAnswersProblemsAsGet(t *testing.T) {
	env := newEnv(t)
	ts := liveServer(t, env)
	tests := []struct {
		name, target string
		status       int
	}{
		{"absent incident", "/api/v1/incidents/999999", http.StatusNotFound},
		{"invalid argument", "/api/v1/incidents?limit=0&phase=done", http.StatusBadRequest},
		{"unknown path", "/nowhere/123", http.StatusNotFound},
		{"trailing slash", "/api/v1/incidents/", http.StatusNotFound},
		{"POST-only route", semanticPath, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, get := headAndGet(t, ts, tt.target)
			require.Equal(t, tt.status, get.status)
			assert.Equal(t, contentTypeProblem, head.header.Get("Content-Type"))
			requireSameAnswer(t, head, get)
		})
	}
	t.Run("HEAD is not allowed where GET is not", func(t *testing.T) {
		head := roundTrips(t, ts, semanticPath, http.MethodHead)[0]
		assert.Equal(t, http.StatusMethodNotAllowed, head.status)
		assert.Equal(t, "OPTIONS, POST", head.header.Get("Allow"))
	})
}

// TestAllowListsHeadOnGetRoutes pins what Echo's router reports: HEAD after GET on every
// GET route, never on the POST-only one.
func TestAllowListsHeadOnGetRoutes(t *testing.T) {
	env := newEnv(t)
	for path, allow := range map[string]string{
		"/api/v1/incidents/3": "OPTIONS, GET, HEAD",
		"/health/ready":       "OPTIONS, GET, HEAD",
		"/openapi.json":       "OPTIONS, GET, HEAD",
		semanticPath:          "OPTIONS, POST",
	} {
		rec := env.do(t, httptest.NewRequest(http.MethodOptions, path, nil))
		assert.Equal(t, http.StatusNoContent, rec.Code, path)
		assert.Equal(t, allow, rec.Header().Get("Allow"), path)
		rec = env.do(t, httptest.NewRequest(http.MethodDelete, path, nil))
		requireProblem(t, rec, http.StatusMethodNotAllowed, "urn:contextapi:problem:method-not-allowed")
		assert.Equal(t, allow, rec.Header().Get("Allow"), path)
	}
}

// fixedLimiter allows every request, or none, always with the same headers, so two
// answers can be compared header for header.
type fixedLimiter struct{ allow bool }

func (l fixedLimiter) Allow(string) RateDecision {
	if !l.allow {
		return RateDecision{RetryAfter: time.Second, Header: `"default";r=0;t=1`}
	}
	return RateDecision{Allowed: true, Header: `"default";r=5;t=1`}
}

func (fixedLimiter) Policy() string { return `"default";q=10;w=1` }

func TestHeadCarriesRateLimitHeaders(t *testing.T) {
	for _, allow := range []bool{true, false} {
		t.Run(fmt.Sprintf("allowed=%v", allow), func(t *testing.T) {
			env := newEnvWith(t, fixtureRepo(), Config{RateLimiter: fixedLimiter{allow: allow}})
			head, get := headAndGet(t, liveServer(t, env), "/api/v1/incidents/3")
			requireSameAnswer(t, head, get)
			assert.Equal(t, `"default";q=10;w=1`, head.header.Get("RateLimit-Policy"))
			assert.NotEmpty(t, head.header.Get("RateLimit"))
			if !allow {
				assert.Equal(t, http.StatusTooManyRequests, head.status)
				assert.Equal(t, "1", head.header.Get("Retry-After"))
			}
		})
	}
}

// TestHeadReplaysButNeverRemembers checks a HEAD may be answered from a remembered GET
// answer, with that answer's headers and length, but never leaves one of its own.
func TestHeadReplaysButNeverRemembers(t *testing.T) {
	env, _, _, c := newCachedEnv(t)
	store := &countingStore{ResponseStore: cache.NewResponses[*Replayable](c)}
	env.srv.CacheResponses(store)
	ts := liveServer(t, env)
	target := headTargets["/api/v1/incidents"]

	first := roundTrips(t, ts, target, http.MethodHead)[0]
	require.Equal(t, http.StatusOK, first.status)
	assert.Equal(t, "contextapi; fwd=miss", first.header.Get("Cache-Status"))
	c.Wait()
	get := roundTrips(t, ts, target, http.MethodGet)[0]
	require.Equal(t, http.StatusOK, get.status)
	assert.Equal(t, 0, store.count(), "the HEAD remembered nothing to replay")
	c.Wait()

	replayed := roundTrips(t, ts, target, http.MethodHead)[0]
	assert.Equal(t, 1, store.count(), "the HEAD replays the GET's answer")
	assert.Equal(t, "contextapi; hit", replayed.header.Get("Cache-Status"))
	requireSameAnswer(t, replayed, get, "Cache-Status")
	assert.Contains(t, replayed.header.Get("Link"), `rel="next"`)

	again := roundTrips(t, ts, target, http.MethodGet)[0]
	assert.Equal(t, 2, store.count())
	requireSameAnswer(t, replayed, again)
}

// TestHeadIsMeasuredByRouteTemplate checks HEAD requests count, and are logged, under
// their route template, like GETs.
func TestHeadIsMeasuredByRouteTemplate(t *testing.T) {
	env := newEnv(t)
	ts := liveServer(t, env)
	for _, target := range []string{"/api/v1/incidents/3", "/api/v1/incidents/4", "/api/v1/incidents/999999", semanticPath, "/nowhere/123"} {
		roundTrips(t, ts, target, http.MethodHead)
	}
	text := scrape(t, env)
	for _, want := range []string{
		`contextapi_http_requests_total{code="200",method="HEAD",route="/api/v1/incidents/:id"} 2`,
		`contextapi_http_requests_total{code="404",method="HEAD",route="/api/v1/incidents/:id"} 1`,
		`contextapi_http_requests_total{code="405",method="HEAD",route="/api/v1/search/semantic"} 1`,
		`contextapi_http_requests_total{code="404",method="HEAD",route="unmatched"} 1`,
		`contextapi_http_request_duration_seconds_count{method="HEAD",route="/api/v1/incidents/:id"} 3`,
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, `route="/api/v1/incidents/3"`)

	var logged int
	for _, line := range env.logs.lines(t) {
		if line["msg"] == "request" && line["method"] == http.MethodHead && line["route"] == "/api/v1/incidents/:id" {
			logged++
		}
	}
	assert.Equal(t, 3, logged)
}

// TestHeadOverHTTP2 checks HTTP/2, which TLS serving negotiates, answers HEAD the same
// way: the GET's length, no body.
func TestHeadOverHTTP2(t *testing.T) {
	env := newEnv(t)
	ts := httptest.NewUnstartedServer(env.srv)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	send := func(method string) (*http.Response, []byte) {
		req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+"/openapi.json", nil)
		require.NoError(t, err)
		res, err := ts.Client().Do(req)
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, body
	}
	get, body := send(http.MethodGet)
	head, headBody := send(http.MethodHead)
	require.Equal(t, 2, head.ProtoMajor)
	assert.Equal(t, http.StatusOK, head.StatusCode)
	assert.Equal(t, get.Header.Get("Content-Type"), head.Header.Get("Content-Type"))
	assert.Equal(t, int64(len(body)), head.ContentLength)
	assert.Empty(t, headBody)
}
