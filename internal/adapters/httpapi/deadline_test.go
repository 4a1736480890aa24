package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A repository that never answers (a stalled network) meets the request's own deadline:
// a 503 problem, not a hang; the platform's endpoints are not bounded by it.
func TestAPIRequestsHaveADeadlineOfTheirOwn(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	env := newEnvWith(t, &stubRepo{Repository: fixtureRepo(), gate: gate}, Config{RequestTimeout: 100 * time.Millisecond})
	start := time.Now()
	res := env.get(t, "/api/v1/incidents?limit=3")
	assert.Equal(t, http.StatusServiceUnavailable, res.Code)
	assert.Equal(t, contentTypeProblem, res.Header().Get("Content-Type"))
	assert.NotEmpty(t, res.Header().Get("Retry-After"))
	assert.Less(t, time.Since(start), 5*time.Second, "bounded by the deadline, with a generous margin")
	assert.Equal(t, http.StatusOK, env.get(t, "/health/live").Code)
}
