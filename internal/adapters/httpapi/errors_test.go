package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

func TestUnknownPathIs404Problem(t *testing.T) {
	env := newEnv(t)
	for _, path := range []string{"/", "/nope", "/api/v1/incident", "/api/v1/incidents/", "/api/v1/incidents/1/similar/2",
		"/api/v2/incidents", "/api/v1/context/remediation/rr-1", "/health/", "/HEALTH", "/api/v1/aggregations"} {
		t.Run(path, func(t *testing.T) {
			p := requireProblem(t, env.get(t, path), http.StatusNotFound, "urn:contextapi:problem:not-found")
			assert.Equal(t, path, p.Instance)
			assert.Empty(t, p.Errors)
		})
	}
}

func TestWrongMethodIs405ProblemWithAllow(t *testing.T) {
	env := newEnv(t)
	tests := []struct {
		method, path, allow string
	}{
		{http.MethodDelete, "/api/v1/incidents", "OPTIONS, GET, HEAD"},
		{http.MethodPost, "/api/v1/incidents", "OPTIONS, GET, HEAD"},
		{http.MethodPut, "/api/v1/incidents/7", "OPTIONS, GET, HEAD"},
		{http.MethodPatch, "/api/v1/incidents/7/similar", "OPTIONS, GET, HEAD"},
		{http.MethodGet, semanticPath, "OPTIONS, POST"},
		{http.MethodPost, "/health", "OPTIONS, GET, HEAD"},
		{http.MethodPost, "/metrics", "OPTIONS, GET, HEAD"},
		{http.MethodHead, semanticPath, "OPTIONS, POST"}, // HEAD is served on GET routes only
		{"BREW", "/readyz", "OPTIONS, GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := env.do(t, httptest.NewRequest(tt.method, tt.path, nil))
			if tt.method == http.MethodHead {
				assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
				assert.Equal(t, tt.allow, rec.Header().Get("Allow"))
				return
			}
			requireProblem(t, rec, http.StatusMethodNotAllowed, "urn:contextapi:problem:method-not-allowed")
			assert.Equal(t, tt.allow, rec.Header().Get("Allow"))
		})
	}
}

func TestOptionsListsAllowedMethods(t *testing.T) {
	env := newEnv(t)
	rec := env.do(t, httptest.NewRequest(http.MethodOptions, "/api/v1/incidents/3", nil))
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, "OPTIONS, GET, HEAD", rec.Header().Get("Allow"))
}

// The data endpoints, with requests that reach the repository.
func dataRequests(t *testing.T) map[string]func() *http.Request {
	body := `{"embedding":` + vectorJSON(t, porttest.FamilyVector(porttest.FamilyCPU)) + `}`
	get := func(target string) func() *http.Request {
		return func() *http.Request { return httptest.NewRequest(http.MethodGet, target, nil) }
	}
	return map[string]func() *http.Request{
		"list":         get("/api/v1/incidents"),
		"alias":        get("/api/v1/context/query?severity=critical"),
		"get":          get("/api/v1/incidents/3"),
		"similar":      get("/api/v1/incidents/3/similar"),
		"success-rate": get("/api/v1/aggregations/success-rate"),
		"namespaces":   get("/api/v1/aggregations/namespaces"),
		"severity":     get("/api/v1/aggregations/severity"),
		"trend":        get("/api/v1/aggregations/trend"),
		"semantic": func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, semanticPath, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			return req
		},
	}
}

func TestRepositoryUnavailableIs503WithRetryAfter(t *testing.T) {
	cause := fmt.Errorf("postgres: dial tcp 10.1.2.3:5432: connection refused: %w", domain.ErrUnavailable)
	env := newEnvWith(t, &stubRepo{Repository: fixtureRepo(), err: cause}, Config{})
	for name, req := range dataRequests(t) {
		t.Run(name, func(t *testing.T) {
			rec := env.do(t, req())
			p := requireProblem(t, rec, http.StatusServiceUnavailable, "urn:contextapi:problem:unavailable")
			assert.Equal(t, "5", rec.Header().Get("Retry-After"))
			assert.NotContains(t, rec.Body.String(), "10.1.2.3")
			assert.NotContains(t, rec.Body.String(), "postgres")
			assert.Empty(t, p.Errors)
		})
	}
}

func TestInternalErrorIs500WithoutLeaking(t *testing.T) {
	secret := `pq: relation "resource_action_traces" does not exist (SELECT password FROM users)`
	env := newEnvWith(t, &stubRepo{Repository: fixtureRepo(), err: errors.New(secret)}, Config{})
	for name, req := range dataRequests(t) {
		t.Run(name, func(t *testing.T) {
			rec := env.do(t, req())
			p := requireProblem(t, rec, http.StatusInternalServerError, "urn:contextapi:problem:internal")
			assert.Empty(t, rec.Header().Get("Retry-After"))
			for _, leak := range []string{"pq", "relation", "SELECT", "password", "resource_action_traces"} {
				assert.NotContains(t, rec.Body.String(), leak)
			}
			assert.Empty(t, p.Errors)
		})
	}
}

// TestFailuresAreLoggedOnce checks each 5xx leaves one failure line carrying the request
// id and the internal cause (which the client never sees), and 4xx leave none.
func TestFailuresAreLoggedOnce(t *testing.T) {
	env := newEnvWith(t, &stubRepo{Repository: fixtureRepo(), err: errors.New("disk on fire")}, Config{})
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/3", nil)
	req.Header.Set("X-Request-Id", "trace-500")
	requireProblem(t, env.do(t, req), http.StatusInternalServerError, "urn:contextapi:problem:internal")
	env.get(t, "/api/v1/incidents/abc")
	env.get(t, "/nowhere")

	var failures, accesses []map[string]any
	for _, l := range env.logs.lines(t) {
		switch l["msg"] {
		case "request failed":
			failures = append(failures, l)
		case "request":
			accesses = append(accesses, l)
		}
	}
	require.Len(t, failures, 1)
	assert.Equal(t, "ERROR", failures[0]["level"])
	assert.Equal(t, "trace-500", failures[0]["request_id"])
	assert.Equal(t, "/api/v1/incidents/:id", failures[0]["route"])
	assert.Contains(t, failures[0]["error"], "disk on fire")
	assert.Len(t, accesses, 3, "one access line per request")
}

func TestPanicIs500Problem(t *testing.T) {
	env := newEnvWith(t, &stubRepo{Repository: fixtureRepo(), panic: "secret panic value"}, Config{})
	for name, req := range dataRequests(t) {
		t.Run(name, func(t *testing.T) {
			rec := env.do(t, req())
			requireProblem(t, rec, http.StatusInternalServerError, "urn:contextapi:problem:internal")
			assert.NotContains(t, rec.Body.String(), "secret")
		})
	}
	var logged bool
	for _, l := range env.logs.lines(t) {
		if l["msg"] == "request failed" {
			logged = true
			assert.Contains(t, l["error"], "secret panic value")
			assert.Contains(t, l["stack"], "recover.go", "the stack is logged")
		}
	}
	assert.True(t, logged)
}

// TestClientGoneIs499 checks a request whose client left is not counted as a 5xx.
func TestClientGoneIs499(t *testing.T) {
	env := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/incidents", nil)
	rec := httptest.NewRecorder()
	env.srv.ServeHTTP(rec, req)
	p := requireProblem(t, rec, statusClientClosedRequest, "urn:contextapi:problem:client-closed-request")
	assert.Empty(t, p.Errors)
	assert.NotContains(t, env.logs.String(), "request failed")
	require.NoError(t, schemaError(t, "Problem", rec.Body.Bytes()))
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"validation", &domain.ValidationError{Fields: []domain.FieldError{{Field: "f", Reason: "r"}}}, 400},
		{"field error", fmt.Errorf("wrapped: %w", &domain.FieldError{Field: "f", Reason: "r"}), 400},
		{"not found", fmt.Errorf("postgres: get: %w", domain.ErrNotFound), 404},
		{"unavailable", fmt.Errorf("cache: %w", domain.ErrUnavailable), 503},
		{"deadline", fmt.Errorf("postgres: %w", context.DeadlineExceeded), 503},
		{"cancelled", fmt.Errorf("postgres: %w", context.Canceled), 499},
		{"other", errors.New("boom"), 500},
		{"panic", &panicError{value: 1}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, kindOf(tt.err).Status)
		})
	}
	assert.Equal(t, "about:blank", kindOf(echoHTTPError(http.StatusTeapot)).Type)
	assert.Equal(t, "I'm a teapot", kindOf(echoHTTPError(http.StatusTeapot)).Title)
	assert.Equal(t, kindInternal.Detail, kindOf(echoHTTPError(http.StatusBadGateway)).Detail, "5xx details stay generic")
}
