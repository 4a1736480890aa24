package test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/dataset"
)

// sharedRedisPrefix returns the shared test Redis's URL and a key prefix of the test's
// own, whose keys are deleted when it ends (the Redis is never flushed: other tests and
// engineers use it).
func sharedRedisPrefix(t *testing.T) (url, prefix string) {
	t.Helper()
	url = engineURL(t, envRedisURL, "scripts/redis.sh")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix = "test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		o, err := goredis.ParseURL(url)
		require.NoError(t, err)
		rdb := goredis.NewClient(o)
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			assert.NoError(t, rdb.Del(ctx, iter.Val()).Err())
		}
		assert.NoError(t, iter.Err())
	})
	return url, prefix
}

// labelled reads /metrics as name{label="value"} → value, for series of one label
// (and bare names for series without labels).
func (s *service) labelled(t *testing.T) map[string]float64 {
	t.Helper()
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get(s.base + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	require.NoError(t, err)
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += fmt.Sprintf("{%s=%q}", l.GetName(), l.GetValue())
			}
			out[key] += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return out
}

// fleetTotal adds up one series over every process.
func fleetTotal(t *testing.T, procs []*service, series string) float64 {
	t.Helper()
	total := 0.0
	for _, p := range procs {
		total += p.labelled(t)[series]
	}
	return total
}

const (
	seriesL2Up      = "contextapi_cache_l2_up"
	seriesL2Hits    = `contextapi_cache_l2_requests_total{result="hit"}`
	seriesListStmts = `contextapi_db_queries_total{op="list"}`
	seriesCountStmt = `contextapi_db_queries_total{op="count"}`
)

// TestThreeProcessesShareOneRedis runs three service processes on one PostgreSQL
// database and one Redis: 3 × 64 concurrent identical cold requests (arriving while
// the table is locked, so that all of them wait) send each statement once for the
// fleet, and an answer one process cached is a Redis hit on the others.
func TestThreeProcessesShareOneRedis(t *testing.T) {
	const procs, perProc = 3, 64
	redisURL, prefix := sharedRedisPrefix(t)
	pg.Require(t)
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(dataset.Demo(time.Now().UTC())), postgres.LoadOptions{}))
	env := []string{"CONTEXTAPI_DATABASE_URL=" + dsn, "CONTEXTAPI_CACHE_REDIS_URL=" + redisURL,
		"CONTEXTAPI_CACHE_REDIS_PREFIX=" + prefix,
		// A loaded CI machine: generous bounds, which the fleet must not need.
		"CONTEXTAPI_CACHE_REDIS_TIMEOUT=500ms", "CONTEXTAPI_CACHE_REDIS_LEASE_WAIT=30s",
		"CONTEXTAPI_STATEMENT_TIMEOUT=1m", "CONTEXTAPI_REQUEST_TIMEOUT=2m"}
	var fleet []*service
	for range procs {
		fleet = append(fleet, startService(t, env, "--drain-delay", "0s"))
	}
	for _, p := range fleet {
		require.Eventually(t, func() bool { return p.labelled(t)[seriesL2Up] == 1 }, 10*time.Second, 20*time.Millisecond,
			"each process reaches Redis")
	}

	// Hold the table so every request arrives while the one statement waits.
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	require.NoError(t, err)
	_, err = tx.Exec(t.Context(), "LOCK TABLE resource_action_traces IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(context.Background()) }()

	const path = "/api/v1/incidents?namespace=checkout&limit=10"
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: perProc}}
	defer client.CloseIdleConnections()
	get := func(base string) (int, string, error) {
		res, err := client.Get(base + path)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return res.StatusCode, string(body), err
	}
	statuses, bodies := make([]int, procs*perProc), make([]string, procs*perProc)
	var wg sync.WaitGroup
	for p, s := range fleet {
		for i := range perProc {
			wg.Go(func() {
				var err error
				statuses[p*perProc+i], bodies[p*perProc+i], err = get(s.base)
				assert.NoError(t, err)
			})
		}
	}
	// Every process's requests have joined its one load (in-process flight group), and
	// the fleet waits on one lease holder's statements.
	for _, p := range fleet {
		require.Eventually(t, func() bool {
			return p.labelled(t)["contextapi_cache_singleflight_shared_total"] >= perProc-1
		}, time.Minute, 10*time.Millisecond, "each process's requests share one load")
	}
	require.NoError(t, tx.Rollback(t.Context()))
	wg.Wait()

	byStatus, distinct := map[int]int{}, map[string]bool{}
	for i := range statuses {
		byStatus[statuses[i]]++
		distinct[bodies[i]] = true
	}
	assert.Equal(t, map[int]int{http.StatusOK: procs * perProc}, byStatus)
	assert.Len(t, distinct, 1, "one body for all")
	lists, counts := fleetTotal(t, fleet, seriesListStmts), fleetTotal(t, fleet, seriesCountStmt)
	assert.InDelta(t, 1, lists, 0, "one page statement for %d requests on %d processes", procs*perProc, procs)
	assert.InDelta(t, 1, counts, 0, "one count statement for %d requests on %d processes", procs*perProc, procs)
	served := fleetTotal(t, fleet, `contextapi_cache_l2_lease_waits_total{outcome="served"}`)
	assert.InDelta(t, procs-1, served, 0, "the other processes waited on the lease and got the value")
	t.Logf("stampede: %d requests on %d processes; statements: list %v, count %v; lease waits served %v",
		procs*perProc, procs, lists, counts, served)

	// An answer cached by one process is a Redis hit on the others, with no statement.
	const other = "/api/v1/incidents?namespace=payments&limit=5"
	status, first := fleet[0].getBody(t, other)
	require.Equal(t, http.StatusOK, status)
	stmts := fleetTotal(t, fleet, seriesListStmts)
	for _, p := range fleet[1:] {
		before := p.labelled(t)[seriesL2Hits]
		status, body := p.getBody(t, other)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, first, body, "the same answer")
		assert.Greater(t, p.labelled(t)[seriesL2Hits], before, "a Redis hit on %s", p.base)
	}
	assert.InDelta(t, stmts, fleetTotal(t, fleet, seriesListStmts), 0, "no statement for the other processes")
}

// getBody GETs path and returns the status and body.
func (s *service) getBody(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := (&http.Client{Timeout: time.Minute}).Get(s.base + path)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(body)
}
