package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/logjson"
)

// The request line built field by field (the JSON handler's fast path) is byte for byte
// the line slog writes from a Record, with and without the optional fields.
func TestRequestLineIsTheSameOnBothPaths(t *testing.T) {
	base := requestLine{
		at: time.Date(2026, 12, 6, 16, 30, 0, 123456000, time.UTC), level: slog.LevelInfo,
		method: http.MethodGet, route: "/api/v1/incidents/:id", path: "/api/v1/incidents/5",
		status: http.StatusOK, latency: 41 * time.Microsecond, requestID: "0ff3d0c1-3c9c-4e69-a3d3-763af04d9d7a", bytes: 663,
	}
	withAll := base
	withAll.principal, withAll.traceID, withAll.path = "alice", "4bf92f3577b34da6a3ce929d0e0e4736", "/api/v1/incidents/\"x\"\n"
	for name, line := range map[string]requestLine{"plain": base, "principal, trace and an odd path": withAll} {
		t.Run(name, func(t *testing.T) {
			var fast, std bytes.Buffer
			fastH := logjson.New(&fast, nil)
			require.IsType(t, &logjson.Handler{}, fastH, "the fast path is what this test is about")
			require.NoError(t, line.write(context.Background(), fastH))
			require.NoError(t, line.write(context.Background(), slog.NewJSONHandler(&std, nil)))
			assert.Equal(t, std.String(), fast.String())
			assert.Contains(t, fast.String(), `"request_id":"0ff3d0c1`)
		})
	}
}

func TestRequestIDHeaderKeyIsCanonical(t *testing.T) {
	assert.Equal(t, http.CanonicalHeaderKey(headerRequestID), headerRequestID, "the header map is indexed with it directly")
}
