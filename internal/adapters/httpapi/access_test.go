package httpapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/domain"
)

// fakeAuth decides by token: "good" and "ops" are principals, "forbidden" may not read,
// "down" finds the backend unavailable, "slow" waits for the request's context; any other
// token is unknown (expired, another audience: all the same to the HTTP layer).
type fakeAuth struct{ calls atomic.Int64 }

func (a *fakeAuth) Authenticate(ctx context.Context, token string) (domain.Principal, error) {
	a.calls.Add(1)
	switch token {
	case "good", "ops":
		return domain.Principal{Name: "svc-" + token}, nil
	case "forbidden":
		return domain.Principal{}, fmt.Errorf("fake: not allowed: %w", domain.ErrForbidden)
	case "down":
		return domain.Principal{}, fmt.Errorf("fake: backend down: %w", domain.ErrUnavailable)
	case "slow":
		<-ctx.Done()
		return domain.Principal{}, fmt.Errorf("fake: review timed out: %w", domain.ErrUnavailable)
	}
	return domain.Principal{}, fmt.Errorf("fake: unknown token: %w", domain.ErrUnauthenticated)
}

// newAuthEnv serves the fixture through the cache and the response store, with auth on.
func newAuthEnv(t *testing.T, cfg Config) (*testEnv, *fakeAuth) {
	t.Helper()
	c, err := cache.New(fixtureRepo(), cache.Options{})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	auth := &fakeAuth{}
	if cfg.Auth == nil {
		cfg.Auth, cfg.AuthMode = auth, "bearer"
	}
	env := newEnvWith(t, c, cfg)
	env.srv.CacheResponses(cache.NewResponses[*Replayable](c))
	// Warm the cache and the replay store with an authorised request of every target, so
	// a refusal below cannot be explained by a cold cache.
	for _, target := range guardedTargets {
		res := env.doWithToken(t, target, "Bearer good")
		require.Equal(t, http.StatusOK, res.Code, target)
		c.Wait()
		require.Equal(t, "contextapi; hit", env.doWithToken(t, target, "Bearer good").Header().Get("Cache-Status"), target)
	}
	return env, auth
}

var guardedTargets = []string{
	"/api/v1/incidents?limit=3",
	"/api/v1/incidents/3",
	"/api/v1/aggregations/success-rate",
	"/api/v1/context/query?limit=2",
}

func (env *testEnv) doWithToken(t *testing.T, target, authorization string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return env.do(t, req)
}

// No request without valid credentials ever gets data, although every answer it asks
// for is cached and replayable: access is decided before the cache is consulted.
func TestGuardedAPIAnswersOnlyWithValidCredentials(t *testing.T) {
	env, _ := newAuthEnv(t, Config{})
	headers := []struct {
		authorization, status, challenge string
	}{
		{"", "401", `Bearer realm="contextapi"`},
		{"Basic Z29vZDo=", "401", `Bearer realm="contextapi", error="invalid_request"`},
		{"Bearer", "401", `Bearer realm="contextapi", error="invalid_request"`},
		{"Bearer    ", "401", `Bearer realm="contextapi", error="invalid_request"`},
		{"Bearer expired", "401", `Bearer realm="contextapi", error="invalid_token"`},
		{"Bearer other-audience", "401", `Bearer realm="contextapi", error="invalid_token"`},
		{"bearer unknown", "401", `Bearer realm="contextapi", error="invalid_token"`},
		{"Bearer good ", "200", ""}, // surrounding space is not part of the token
		{"Bearer forbidden", "403", `Bearer realm="contextapi", error="insufficient_scope"`},
		{"Bearer down", "503", ""},
	}
	counts := map[string]int{}
	for i := range 1000 {
		h := headers[i%len(headers)]
		target := guardedTargets[i%len(guardedTargets)]
		res := env.doWithToken(t, target, h.authorization)
		require.Equal(t, h.status, fmt.Sprint(res.Code), "%q %s", h.authorization, target)
		counts[h.status]++
		if h.status == "200" {
			continue
		}
		assert.Equal(t, contentTypeProblem, res.Header().Get("Content-Type"))
		assert.NotContains(t, res.Body.String(), `"incidents"`)
		assert.Empty(t, res.Header().Get("Cache-Status"), "nothing was read for a refused request")
		assert.Equal(t, h.challenge, res.Header().Get("WWW-Authenticate"), "%q", h.authorization)
		if h.status == "503" {
			assert.Equal(t, "5", res.Header().Get("Retry-After"))
		}
	}
	assert.Equal(t, map[string]int{"401": 700, "200": 100, "403": 100, "503": 100}, counts)
	decisions := func(result string) float64 {
		return testutil.ToFloat64(env.srv.authDecisions.WithLabelValues("bearer", result))
	}
	assert.InDelta(t, 700, decisions("unauthenticated"), 0)
	assert.InDelta(t, 100, decisions("forbidden"), 0)
	assert.InDelta(t, 100, decisions("unavailable"), 0)
	assert.InDelta(t, 100+2*len(guardedTargets), decisions("allowed"), 0)
}

// A review that cannot be made in time (the backend stalls) is a 503 when the request's
// own deadline ends, never a 200.
func TestStalledAuthenticationIsUnavailable(t *testing.T) {
	env, _ := newAuthEnv(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, guardedTargets[0], nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer slow")
	res := env.do(t, req)
	assert.Equal(t, http.StatusServiceUnavailable, res.Code)
	assert.NotEmpty(t, res.Header().Get("Retry-After"))
}

func TestHealthMetricsAndTheDocumentStayOpen(t *testing.T) {
	env, auth := newAuthEnv(t, Config{})
	before := auth.calls.Load()
	for _, target := range []string{"/health", "/health/live", "/livez", "/health/ready", "/readyz", "/metrics", "/openapi.json"} {
		assert.Equal(t, http.StatusOK, env.get(t, target).Code, target)
	}
	assert.Equal(t, before, auth.calls.Load(), "no credentials asked of the platform's endpoints")
	assert.Equal(t, http.StatusNotFound, env.get(t, "/nothing-here").Code)
}

func TestThePrincipalIsNamedInTheRequestLog(t *testing.T) {
	env, _ := newAuthEnv(t, Config{})
	env.doWithToken(t, "/api/v1/incidents/5", "Bearer ops")
	var line map[string]any
	for _, l := range env.logs.lines(t) {
		if l["msg"] == "request" && l["path"] == "/api/v1/incidents/5" {
			line = l
		}
	}
	require.NotNil(t, line)
	assert.Equal(t, "svc-ops", line["principal"])
	assert.NotContains(t, env.logs.String(), "Bearer ops", "the token never reaches the log")
}

// Under mutual TLS, an API request must come on a connection with a verified client
// certificate, whose subject names the caller; the platform's endpoints stay open.
func TestMutualTLSIsRequiredOfAPIRequests(t *testing.T) {
	env := newEnvWith(t, fixtureRepo(), Config{RequireClientCert: true})
	plain := env.get(t, "/api/v1/incidents/3")
	assert.Equal(t, http.StatusUnauthorized, plain.Code)
	assert.Empty(t, plain.Header().Get("WWW-Authenticate"), "no bearer token would help")
	assert.Equal(t, http.StatusOK, env.get(t, "/health/ready").Code)

	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/3", nil)
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "holmesgpt-api"}}
	req.TLS = &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{cert}}}
	res := env.do(t, req)
	assert.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, env.logs.String(), `"principal":"cert:holmesgpt-api"`)

	req = httptest.NewRequest(http.MethodGet, "/api/v1/incidents/3", nil)
	req.TLS = &tls.ConnectionState{} // TLS, but the client sent no certificate
	assert.Equal(t, http.StatusUnauthorized, env.do(t, req).Code)
}

func TestAuthenticationOffLeavesTheAPIOpen(t *testing.T) {
	env := newEnv(t)
	assert.Equal(t, http.StatusOK, env.get(t, "/api/v1/incidents/3").Code)
	assert.NotContains(t, env.logs.String(), `"principal"`)
}
