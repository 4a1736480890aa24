package httpapi

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHealthProbes(t *testing.T) {
	env := newEnv(t)
	for path, want := range map[string]string{
		"/health":       `{"status":"healthy"}`,
		"/health/live":  `{"status":"alive"}`,
		"/livez":        `{"status":"alive"}`,
		"/health/ready": `{"status":"ready"}`,
		"/readyz":       `{"status":"ready"}`,
	} {
		rec := env.get(t, path)
		assert.Equal(t, http.StatusOK, rec.Code, path)
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"), path)
		assert.Equal(t, want, rec.Body.String(), path)
	}
}

func TestReadinessFollowsTheRepository(t *testing.T) {
	env := newEnvWith(t, &stubRepo{Repository: fixtureRepo(), pingErr: errors.New("pq: password authentication failed")}, Config{})
	for _, path := range []string{"/health/ready", "/readyz"} {
		rec := env.get(t, path)
		requireProblem(t, rec, http.StatusServiceUnavailable, "urn:contextapi:problem:unavailable")
		assert.Equal(t, "5", rec.Header().Get("Retry-After"))
		assert.NotContains(t, rec.Body.String(), "password")
	}
	// Liveness never looks at the repository.
	for _, path := range []string{"/health", "/health/live", "/livez"} {
		assert.Equal(t, http.StatusOK, env.get(t, path).Code, path)
	}
}

func TestReadinessFailsOnceDraining(t *testing.T) {
	env := newEnv(t)
	env.srv.draining.Store(true)
	for _, path := range []string{"/health/ready", "/readyz"} {
		rec := env.get(t, path)
		requireProblem(t, rec, http.StatusServiceUnavailable, "urn:contextapi:problem:unavailable")
		assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	}
	assert.Equal(t, http.StatusOK, env.get(t, "/health/live").Code, "still alive while draining")
	assert.Equal(t, http.StatusOK, env.get(t, "/api/v1/incidents").Code, "still serving while draining")
}
