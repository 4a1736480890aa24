package test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/logjson"
	"github.com/contextapi/contextapi/internal/ports"
)

// benchServer is the production HTTP stack (request ids, metrics, JSON request logs
// through the service's own handler, formatted and discarded) over repo, optionally
// reusing encoded responses.
func benchServer(repo ports.Repository, now time.Time, responses httpapi.ResponseStore) http.Handler {
	svc := app.NewService(repo, func() time.Time { return now }, app.NewCursorCodec([]byte("bench")))
	srv := httpapi.NewServer(svc, prometheus.NewRegistry(), slog.New(logjson.New(io.Discard, nil)), httpapi.Config{})
	if responses != nil {
		srv.CacheResponses(responses)
	}
	return srv
}

// staticBytes is the bare net/http baseline: the same response bytes, no work.
func staticBytes(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

func serveParallel(b *testing.B, h http.Handler, target string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
			if rec.Code != http.StatusOK {
				b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkCache compares, in one run, cached and uncached list pages and incidents
// through the full HTTP stack with a bare net/http handler serving the same bytes:
//
//	go test -run '^$' -bench BenchmarkCache -benchtime 2s ./test/
//
// With CONTEXTAPI_TEST_DATABASE_URL set it adds PostgreSQL with and without the cache.
func BenchmarkCache(b *testing.B) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	events := dataset.Demo(now)
	targets := map[string]string{
		"list": "/api/v1/incidents?namespace=checkout&limit=10",
		"get":  "/api/v1/incidents/288",
	}
	mem := memory.NewRepository(events)
	cached, err := cache.New(mem, cache.Options{})
	require.NoError(b, err)
	defer cached.Close()
	stacks := map[string]http.Handler{
		"memory-uncached":        benchServer(mem, now, nil),
		"memory-cached-encoding": benchServer(cached, now, nil),
		"memory-cached":          benchServer(cached, now, cache.NewResponses[*httpapi.Replayable](cached)),
	}
	if pg.Available() {
		dsn := pg.NewDatabase(b)
		require.NoError(b, postgres.Load(b.Context(), dsn, postgres.Events(events), postgres.LoadOptions{}))
		repo, err := postgres.Open(dsn, postgres.Options{})
		require.NoError(b, err)
		defer repo.Close()
		pgCached, err := cache.New(repo, cache.Options{})
		require.NoError(b, err)
		defer pgCached.Close()
		stacks["postgres-uncached"] = benchServer(repo, now, nil)
		stacks["postgres-cached"] = benchServer(pgCached, now, cache.NewResponses[*httpapi.Replayable](pgCached))
	}
	for _, kind := range []string{"list", "get"} {
		target := targets[kind]
		rec := httptest.NewRecorder()
		stacks["memory-uncached"].ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		require.Equal(b, http.StatusOK, rec.Code)
		b.Run(kind+"/bare-net-http", func(b *testing.B) { serveParallel(b, staticBytes(rec.Body.Bytes()), target) })
		for _, name := range []string{"memory-cached", "memory-cached-encoding", "memory-uncached", "postgres-cached", "postgres-uncached"} {
			h, ok := stacks[name]
			if !ok {
				continue
			}
			for range 3 { // warm: the cached stacks now answer from the cache
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, target, nil))
			}
			b.Run(kind+"/"+name, func(b *testing.B) { serveParallel(b, h, target) })
		}
	}
}
