package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestIDKeepsAValidCallerID(t *testing.T) {
	env := newEnv(t)
	for _, id := range []string{"a", "abc-123", "A.b_c:d-e", strings.Repeat("x", 128), "0f8fad5b-d9cb-469f-a165-70867728950e"} {
		for _, target := range []string{"/health", "/api/v1/incidents/999", "/nowhere", "/api/v1/incidents?limit=0"} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("X-Request-Id", id)
			rec := env.do(t, req)
			assert.Equal(t, id, rec.Header().Get("X-Request-Id"), target)
			if rec.Code != http.StatusOK {
				assert.Equal(t, id, requireProblemAny(t, rec).RequestID, target)
			}
		}
	}
	for _, l := range env.logs.lines(t) {
		if l["msg"] == "request" {
			assert.NotEmpty(t, l["request_id"])
		}
	}
}

func TestRequestIDReplacesAnInvalidOne(t *testing.T) {
	env := newEnv(t)
	for _, id := range []string{"", " ", strings.Repeat("x", 129), "has space", "slash/ed", "<script>", "ümlaut", "semi;colon", "new\tline"} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/999", nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		rec := env.do(t, req)
		got := rec.Header().Get("X-Request-Id")
		u, err := uuid.Parse(got)
		require.NoError(t, err, "%q replaced by a UUID", id)
		assert.Equal(t, uuid.Version(4), u.Version())
		assert.Equal(t, uuid.RFC4122, u.Variant())
		assert.Equal(t, u.String(), got, "canonical form")
		assert.Equal(t, got, requireProblemAny(t, rec).RequestID)
	}
}

func TestRequestIDsAreUnique(t *testing.T) {
	env := newEnv(t)
	seen := map[string]bool{}
	for range 50 {
		id := env.get(t, "/health").Header().Get("X-Request-Id")
		assert.False(t, seen[id], "id %s reused", id)
		seen[id] = true
	}
}

// An id costs one allocation, its string, and a hundred thousand never repeat.
func TestNewRequestIDIsCheap(t *testing.T) {
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = newRequestID() }))
	seen := make(map[string]bool, 100_000)
	for range 100_000 {
		id := newRequestID()
		require.False(t, seen[id], "id %s repeated", id)
		seen[id] = true
	}
}

// TestAccessLog checks each request leaves one line with what an operator searches by.
func TestAccessLog(t *testing.T) {
	env := newEnv(t)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/3?include=embedding", nil)
	req.Header.Set("X-Request-Id", "find-me")
	rec := env.do(t, req)
	require.Equal(t, http.StatusOK, rec.Code)
	lines := env.logs.lines(t)
	require.Len(t, lines, 1)
	l := lines[0]
	assert.Equal(t, "request", l["msg"])
	assert.Equal(t, "INFO", l["level"])
	assert.Equal(t, "GET", l["method"])
	assert.Equal(t, "/api/v1/incidents/:id", l["route"])
	assert.Equal(t, "/api/v1/incidents/3", l["path"])
	assert.Equal(t, float64(200), l["status"])
	assert.Equal(t, "find-me", l["request_id"])
	assert.Equal(t, float64(rec.Body.Len()), l["bytes"])
	assert.Contains(t, l, "latency")
}

func TestValidRequestID(t *testing.T) {
	assert.True(t, validRequestID("Az09._:-"))
	assert.False(t, validRequestID(""))
	assert.False(t, validRequestID("a b"))
	assert.False(t, validRequestID(strings.Repeat("a", 129)))
	assert.True(t, validRequestID(strings.Repeat("a", 128)))
}

// requireProblemAny decodes a problem document of any status.
func requireProblemAny(t *testing.T, rec *httptest.ResponseRecorder) problem {
	t.Helper()
	var p struct {
		Type string `json:"type"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	return requireProblem(t, rec, rec.Code, p.Type)
}

func TestProbesAreLoggedAtDebug(t *testing.T) {
	env := newEnv(t)
	env.get(t, "/readyz")
	env.get(t, "/metrics")
	env.get(t, "/api/v1/incidents/1")
	var levels []string
	for _, l := range env.logs.lines(t) {
		levels = append(levels, l["level"].(string)+" "+l["route"].(string))
	}
	assert.Equal(t, []string{"DEBUG /readyz", "DEBUG /metrics", "INFO /api/v1/incidents/:id"}, levels)
}
