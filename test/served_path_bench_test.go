package test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/dataset"
)

// BenchmarkServedPath is what the service adds to net/http for a replayed answer (P1):
// the handler chain alone — request id, metrics, the JSON request line, the replay —
// against a handler writing the same bytes, one request at a time, so that a CPU profile
// of it shows only our side:
//
//	go test -run '^$' -bench BenchmarkServedPath -cpuprofile cpu.out ./test/
func BenchmarkServedPath(b *testing.B) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	cached, err := cache.New(memory.NewRepository(dataset.Demo(now)), cache.Options{})
	require.NoError(b, err)
	defer cached.Close()
	srv := benchServer(cached, now, cache.NewResponses[*httpapi.Replayable](cached))
	for name, target := range map[string]string{"list": "/api/v1/incidents?limit=10", "get": "/api/v1/incidents/5"} {
		first := httptest.NewRecorder()
		srv.ServeHTTP(first, httptest.NewRequest(http.MethodGet, target, nil))
		require.Equal(b, http.StatusOK, first.Code)
		length := strconv.Itoa(first.Body.Len())
		bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", length)
			_, _ = w.Write(first.Body.Bytes())
		})
		for _, h := range []struct {
			name string
			h    http.Handler
		}{{"bare", bare}, {"service", srv}} {
			b.Run(name+"/"+h.name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				w := &discardWriter{header: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.header)
					w.status = 0
					h.h.ServeHTTP(w, req)
					if w.status != http.StatusOK && w.status != 0 {
						b.Fatalf("%s: %d", target, w.status)
					}
				}
			})
		}
	}
}

// discardWriter is a ResponseWriter that keeps nothing but the status: the socket's
// cost is the same for every handler and is left out.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
