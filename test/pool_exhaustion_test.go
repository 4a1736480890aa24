package test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/admission"
	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/ports/porttest"
	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// R5, pool exhaustion: 100 concurrent uncached requests while every statement waits on
// a lock, through a pool of 2 and admission of 4. Each ends inside its deadline, with a
// 503 problem (shed at once, or past its request deadline); liveness and readiness
// answer throughout; once the lock goes, the service answers again and no goroutine is
// left behind.
func TestR05PoolExhaustionEndsInsideTheDeadline(t *testing.T) {
	rec := reliability.Target(t, "R5", "100 concurrent uncached list requests while every statement waits on a table lock, "+
		"through a pool of 2 connections and admission of 4, with a 1 s request deadline")
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(porttest.Fixture(porttest.FixtureNow)), postgres.LoadOptions{}))
	goroutines := runtime.NumGoroutine()
	repo, err := postgres.Open(dsn, postgres.Options{MaxOpenConns: 2, StatementTimeout: 30 * time.Second})
	require.NoError(t, err)
	gated, err := admission.New(repo, admission.Options{MaxConcurrent: 4, QueueTimeout: 25 * time.Millisecond})
	require.NoError(t, err)
	c, err := cache.New(gated, cache.Options{})
	require.NoError(t, err)
	svc := app.NewService(c, time.Now, app.NewCursorCodec([]byte("r5")))
	const deadline = time.Second
	srv := httpapi.NewServer(svc, prometheus.NewRegistry(), slog.New(slog.DiscardHandler), httpapi.Config{RequestTimeout: deadline})
	ts := httptest.NewServer(srv)
	client := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) (int, time.Duration) {
		start := time.Now()
		res, err := client.Get(ts.URL + path)
		if err != nil {
			return 0, time.Since(start)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		return res.StatusCode, time.Since(start)
	}

	lock, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	tx, err := lock.Begin(t.Context())
	require.NoError(t, err)
	_, err = tx.Exec(t.Context(), "LOCK TABLE resource_action_traces IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)

	type outcome struct {
		status int
		took   time.Duration
	}
	const requests = 100
	outcomes := make(chan outcome, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			status, took := get(fmt.Sprintf("/api/v1/incidents?limit=%d", 1+i%50)) // distinct: never cached
			outcomes <- outcome{status, took}
		})
	}
	live, ready := map[int]int{}, map[int]int{}
	var slowestLive time.Duration
	for range 5 { // the platform's endpoints answer while the pool is exhausted
		status, took := get("/health/live")
		live[status]++
		slowestLive = max(slowestLive, took)
		assert.Equal(t, 200, status)
		assert.Less(t, took, 500*time.Millisecond)
		status, _ = get("/health/ready")
		ready[status]++
		assert.Equal(t, 200, status)
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	close(outcomes)
	statuses := map[int]int{}
	var slowest time.Duration
	for o := range outcomes {
		statuses[o.status]++
		slowest = max(slowest, o.took)
		assert.Less(t, o.took, deadline+time.Second, "inside the deadline, with a margin")
	}
	rec.Figure("requests", "%d", requests)
	rec.Figure("outcomes", "%s", countsText(statuses))
	rec.Figure("slowest request", "%v (deadline %v)", slowest.Round(time.Millisecond), deadline)
	rec.Figure("liveness while exhausted", "%s, slowest %v", countsText(live), slowestLive.Round(time.Millisecond))
	rec.Figure("readiness while exhausted", "%s", countsText(ready))
	assert.Equal(t, map[int]int{503: requests}, statuses, "every request refused cleanly while the lock holds")

	require.NoError(t, tx.Rollback(context.Background()))
	require.NoError(t, lock.Close(context.Background()))
	require.Eventually(t, func() bool { s, _ := get("/api/v1/incidents?limit=3"); return s == 200 },
		10*time.Second, 50*time.Millisecond, "answers again once the lock is gone")

	ts.Close()
	client.CloseIdleConnections()
	c.Close()
	require.NoError(t, repo.Close())
	assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= goroutines+2 }, 10*time.Second, 50*time.Millisecond,
		"no goroutine left behind: %d now, %d before", runtime.NumGoroutine(), goroutines)
	rec.Figure("goroutines after", "%d (%d before)", runtime.NumGoroutine(), goroutines)
}
