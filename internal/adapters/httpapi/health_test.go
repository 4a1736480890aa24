package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/ports"
)

// flakyStore is a repository whose ping fails while down is set.
type flakyStore struct {
	ports.Repository
	down atomic.Bool
}

func (r *flakyStore) Ping(ctx context.Context) error {
	if r.down.Load() {
		return errors.New("dial tcp 10.0.0.7:5432: connect: connection refused (password=hunter2)")
	}
	return r.Repository.Ping(ctx)
}

// healthEnv serves a flaky store, checked on a clock the test moves.
func healthEnv(t *testing.T, requireDatabase bool) (*testEnv, *flakyStore, *app.Health, *clock) {
	t.Helper()
	repo := &flakyStore{Repository: fixtureRepo()}
	clk := &clock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	svc := app.NewService(repo, clk.Now, app.NewCursorCodec([]byte("test")))
	h := app.NewHealth(svc, clk.Now, app.HealthOptions{Store: "postgresql", Database: true, RequireDatabase: requireDatabase})
	return newEnvWith(t, repo, Config{Health: h}), repo, h, clk
}

type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) Advance(d time.Duration) { c.now = c.now.Add(d) }

func TestHealthProbes(t *testing.T) {
	env := newEnv(t)
	for path, want := range map[string]string{
		"/health":       `{"status":"healthy","store":"demo"}`,
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

// Until the store has answered once, the process cannot serve: readiness is 503.
func TestNotReadyUntilTheStoreAnsweredOnce(t *testing.T) {
	env, repo, _, clk := healthEnv(t, false)
	repo.down.Store(true)
	for _, path := range []string{"/health/ready", "/readyz"} {
		rec := env.get(t, path)
		p := requireProblem(t, rec, http.StatusServiceUnavailable, "urn:contextapi:problem:unavailable")
		assert.Equal(t, "Not ready: the postgresql store has not answered yet.", p.Detail)
		assert.Equal(t, "5", rec.Header().Get("Retry-After"))
		assert.NotContains(t, rec.Body.String(), "hunter2", "the ping's error stays in the logs")
		assert.NotContains(t, rec.Body.String(), "10.0.0.7")
	}
	assert.JSONEq(t, `{"status":"healthy","store":"postgresql","database":"down"}`, env.get(t, "/health").Body.String())
	for _, path := range []string{"/health", "/health/live", "/livez"} {
		assert.Equal(t, http.StatusOK, env.get(t, path).Code, "%s never looks at the store", path)
	}

	repo.down.Store(false)
	clk.Advance(2 * time.Second)
	assert.Equal(t, http.StatusOK, env.get(t, "/health/ready").Code, "ready once the store answered")
}

// Once started, a database outage leaves readiness 200 by default (the cache can still
// answer, and every replica shares the database), while /health and the gauge say it.
func TestReadinessSurvivesADatabaseOutage(t *testing.T) {
	env, repo, h, clk := healthEnv(t, false)
	require.Equal(t, http.StatusOK, env.get(t, "/health/ready").Code)
	assert.InDelta(t, 1, gaugeValue(t, env, "contextapi_database_up"), 0)

	repo.down.Store(true)
	clk.Advance(2 * time.Second)
	h.Check(t.Context()) // what Serve's checker does every second
	assert.Equal(t, http.StatusOK, env.get(t, "/health/ready").Code)
	assert.JSONEq(t, `{"status":"healthy","store":"postgresql","database":"down"}`, env.get(t, "/health").Body.String())
	assert.InDelta(t, 0, gaugeValue(t, env, "contextapi_database_up"), 0)

	rec := env.get(t, "/health/ready?verbose")
	require.Equal(t, http.StatusOK, rec.Code)
	var body readyResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Len(t, body.Checks, 3)
	assert.Equal(t, checkResponse{Name: "startup", Status: "ok", Required: true, Detail: "the postgresql store has answered since start"}, body.Checks[0])
	assert.Equal(t, "database", body.Checks[1].Name)
	assert.Equal(t, "failing", body.Checks[1].Status)
	assert.False(t, body.Checks[1].Required)
	assert.Contains(t, body.Checks[1].Detail, "not answering since 2026-12-01T12:00:02Z")
	assert.Equal(t, checkResponse{Name: "shutdown", Status: "ok", Required: true, Detail: "serving"}, body.Checks[2])

	repo.down.Store(false)
	clk.Advance(2 * time.Second)
	h.Check(t.Context())
	assert.InDelta(t, 1, gaugeValue(t, env, "contextapi_database_up"), 0)
	assert.JSONEq(t, `{"status":"healthy","store":"postgresql","database":"up"}`, env.get(t, "/health").Body.String())
}

// readiness_requires_database restores the strict behaviour.
func TestReadinessRequiringTheDatabase(t *testing.T) {
	env, repo, _, clk := healthEnv(t, true)
	require.Equal(t, http.StatusOK, env.get(t, "/readyz").Code)
	repo.down.Store(true)
	clk.Advance(2 * time.Second)
	rec := env.get(t, "/readyz?verbose=1")
	p := requireProblem(t, rec, http.StatusServiceUnavailable, "urn:contextapi:problem:unavailable")
	assert.Contains(t, p.Detail, "Not ready: not answering since")
	var body struct {
		Checks []checkResponse `json:"checks"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Len(t, body.Checks, 3, "a failed verbose probe lists its checks too")
	assert.Equal(t, checkResponse{Name: "database", Status: "failing", Required: true, Detail: "not answering since 2026-12-01T12:00:02Z"}, body.Checks[1])

	repo.down.Store(false)
	clk.Advance(2 * time.Second)
	assert.Equal(t, http.StatusOK, env.get(t, "/readyz").Code)
}

// A result younger than the check interval is reused: probes never queue pings.
func TestReadinessReusesARecentCheck(t *testing.T) {
	env, repo, _, clk := healthEnv(t, true)
	require.Equal(t, http.StatusOK, env.get(t, "/readyz").Code)
	repo.down.Store(true)
	clk.Advance(500 * time.Millisecond)
	assert.Equal(t, http.StatusOK, env.get(t, "/readyz").Code, "checked 0.5 s ago: still trusted")
	clk.Advance(time.Second)
	assert.Equal(t, http.StatusServiceUnavailable, env.get(t, "/readyz").Code)
}

func TestReadinessFailsOnceDraining(t *testing.T) {
	env := newEnv(t)
	env.srv.draining.Store(true)
	for _, path := range []string{"/health/ready", "/readyz"} {
		rec := env.get(t, path)
		p := requireProblem(t, rec, http.StatusServiceUnavailable, "urn:contextapi:problem:unavailable")
		assert.Equal(t, "Not ready: shutting down.", p.Detail)
		assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	}
	assert.Equal(t, http.StatusOK, env.get(t, "/health/live").Code, "still alive while draining")
	assert.Equal(t, http.StatusOK, env.get(t, "/api/v1/incidents").Code, "still serving while draining")
}

// gaugeValue reads a gauge from the registry as /metrics would show it.
func gaugeValue(t *testing.T, env *testEnv, name string) float64 {
	t.Helper()
	families, err := env.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
