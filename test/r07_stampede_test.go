package test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// R7 (upstream scenario 08) against PostgreSQL through HTTP: 500 concurrent identical
// cold requests while the table is locked, so every one arrives while the first one's
// statement waits. The first requester, whose request started the load, then goes away;
// the load goes on for the other 499, which all get 200 and the same body, and each
// statement ran once (contextapi_db_queries_total).
func TestR07StampedeRunsEachStatementOnce(t *testing.T) {
	const n = 500
	rec := reliability.Target(t, "R7", "sends 500 identical requests for a page not cached, while the table is locked "+
		"so they all wait on the first one's statement, then cancels the first request before the lock goes")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	dsn := loadDemo(t, now)
	// The statement must outlast the whole stampede held on the lock, on a loaded machine.
	s, metrics, _ := cachedPostgresWith(t, dsn, &clock{now: now}, cachedConfig{statementTimeout: time.Minute})
	base := serveHTTP(t, s)
	const path = "/api/v1/incidents?namespace=checkout&limit=10"

	// Hold the table so every request arrives while the first statement waits.
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	require.NoError(t, err)
	_, err = tx.Exec(t.Context(), "LOCK TABLE resource_action_traces IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(context.Background()) }()
	watch, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer watch.Close(context.Background())
	waiting := func() int { // the service's statements waiting on the lock now
		var count int
		err := watch.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = 'contextapi' AND wait_event_type = 'Lock'`).Scan(&count)
		require.NoError(t, err)
		return count
	}

	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()
	get := func(ctx context.Context) (int, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return 0, "", err
		}
		res, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return res.StatusCode, string(body), err
	}

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	defer cancelLeader()
	leaderErr := make(chan error, 1)
	go func() { _, _, err := get(leaderCtx); leaderErr <- err }()
	require.Eventually(t, func() bool { return waiting() >= 1 }, 10*time.Second, 10*time.Millisecond,
		"the first request's statement waits on the lock")

	bodies := make([]string, n-1)
	statuses := make([]int, n-1)
	var wg sync.WaitGroup
	for i := range n - 1 {
		wg.Go(func() {
			var err error
			statuses[i], bodies[i], err = get(context.Background())
			assert.NoError(t, err)
		})
	}
	require.Eventually(t, func() bool {
		return counterValue(t, s.reg, "contextapi_cache_singleflight_shared_total") >= n-1
	}, 30*time.Second, 5*time.Millisecond, "the other requests join the first one's load")

	held := waiting() // the page and its total run side by side: one or two statements
	rec.Figure("statements waiting on the lock when the first requester left", "%d", held)
	cancelLeader()
	assert.ErrorIs(t, <-leaderErr, context.Canceled, "the first requester gave up")
	require.Eventually(t, func() bool { return counterWhere(t, s.reg, "contextapi_http_requests_total", "code", "499") >= 1 },
		10*time.Second, 5*time.Millisecond, "the service saw the first requester leave (499)")
	assert.GreaterOrEqual(t, waiting(), held, "the first requester's statements still wait: its leaving cancelled nothing")

	released := time.Now()
	require.NoError(t, tx.Rollback(t.Context()))
	wg.Wait()
	served := time.Since(released)
	byStatus, distinct := map[int]int{}, map[string]bool{}
	for i := range n - 1 {
		byStatus[statuses[i]]++
		distinct[bodies[i]] = true
	}
	assert.Equal(t, map[int]int{http.StatusOK: n - 1}, byStatus, "every other requester gets its page")
	assert.Len(t, distinct, 1, "one body for all")
	assert.Contains(t, bodies[0], `"incidents"`)
	assert.InDelta(t, 1, counterWhere(t, s.reg, "contextapi_http_requests_total", "code", "499"), 0, "only the first requester left")
	assert.InDelta(t, 1, metrics.Queries("list"), 0, "one page statement for %d requests", n)
	assert.InDelta(t, 1, metrics.Queries("count"), 0, "one count statement for %d requests", n)
	rec.Figure("requests", "%d, the first cancelled by its client while its statement waited", n)
	rec.Figure("the others' answers", "%v, %d distinct bodies", byStatus, len(distinct))
	rec.Figure("statements run", "list %v, count %v", metrics.Queries("list"), metrics.Queries("count"))
	rec.Figure("all answered after the lock's release", "%d ms", served.Milliseconds())
}

// counterWhere adds up the series of a counter whose label has value.
func counterWhere(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	total := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					total += m.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}
