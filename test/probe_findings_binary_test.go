package test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// Three findings of the black-box probe (issue 14), checked on the built binary so that
// CONTEXTAPI_TEST_BINARY can show them on an older build: strict readiness queued behind
// the load in the one pool, HEAD on a GET route was a 405, and the pool's saturation had
// no metric. The stalled network and the forced shutdown are TestR04… and
// TestForcedShutdownAnswers503AndExits0.
func TestProbeFindingsThroughTheBinary(t *testing.T) {
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(porttest.Fixture(porttest.FixtureNow)), postgres.LoadOptions{}))
	s := startService(t, []string{"CONTEXTAPI_DATABASE_URL=" + dsn}, "--drain-delay", "0s",
		"--readiness-requires-database", "--db-max-open-conns", "1", "--statement-timeout", "20s", "--cache-enabled=false")

	t.Run("HEAD on a GET route is answered like GET, without a body", func(t *testing.T) {
		for _, path := range []string{"/api/v1/incidents?limit=2", "/api/v1/aggregations/severity", "/health/ready"} {
			res, err := http.Head(s.base + path)
			require.NoError(t, err)
			body, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			assert.Equal(t, http.StatusOK, res.StatusCode, path)
			assert.Empty(t, body, path)
			assert.Positive(t, res.ContentLength, "%s: the length GET's body would have", path)
		}
	})

	t.Run("the pool's saturation is measured", func(t *testing.T) {
		metrics := s.scrape(t)
		for _, name := range []string{"contextapi_db_pool_connections", "contextapi_db_pool_max_connections",
			"contextapi_db_pool_waiting", "contextapi_db_pool_waits_total", "contextapi_db_pool_wait_seconds_total"} {
			_, ok := metrics[name]
			assert.True(t, ok, "/metrics has %s", name)
		}
		assert.InDelta(t, 1, metrics["contextapi_db_pool_max_connections"], 0)
	})

	t.Run("strict readiness does not wait behind the load", func(t *testing.T) {
		defer lockTraces(t, dsn)()

		// The one connection waits on the lock; these requests queue behind it.
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/incidents?limit=%d", s.base, 3+i), nil)
				if res, err := http.DefaultClient.Do(req); err == nil {
					_ = res.Body.Close()
				}
			})
		}
		defer func() { cancel(); wg.Wait() }()
		watcher, err := pgx.Connect(t.Context(), dsn)
		require.NoError(t, err)
		defer watcher.Close(context.Background())
		require.Eventually(t, func() bool {
			var waiting int
			err := watcher.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
			return err == nil && waiting >= 1
		}, 5*time.Second, 20*time.Millisecond, "the pool's one connection waits on the lock")
		// Health is checked in the background once a second: probe for several checks.
		for range 15 {
			start := time.Now()
			status := s.status("/health/ready")
			took := time.Since(start)
			assert.Equal(t, http.StatusOK, status, "ready: the database answers, only the pool is busy")
			assert.Less(t, took, time.Second, "readiness answers at once")
			time.Sleep(200 * time.Millisecond)
		}
	})
}
