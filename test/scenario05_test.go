package test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
)

// TestScenario05HTTPAPI is upstream's HTTP scenario 05 over PostgreSQL holding our
// equivalent of upstream's seed (12 resources, 12 histories, 15 traces), with the
// expectations of docs/scenarios.md's "against the seed" column and openapi.yaml's shapes.
func TestScenario05HTTPAPI(t *testing.T) {
	dsn := pg.NewDatabase(t)
	seed, err := os.ReadFile("../internal/adapters/postgres/testdata/seed_upstream.sql")
	require.NoError(t, err)
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	_, err = conn.Exec(t.Context(), string(seed))
	require.NoError(t, err)
	require.NoError(t, conn.Close(context.Background()))

	reg := prometheus.NewRegistry()
	repo, err := postgres.Open(dsn, postgres.Options{Metrics: postgres.NewMetrics(reg)})
	require.NoError(t, err)
	defer repo.Close()
	svc := app.NewService(repo, time.Now, app.NewCursorCodec([]byte("e2e")))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Every probe checks afresh: the steps below change the database between probes.
	health := app.NewHealth(svc, time.Now, app.HealthOptions{Store: "postgresql", Database: true, Interval: time.Nanosecond})
	s := &stack{handler: httpapi.NewServer(svc, reg, logger, httpapi.Config{Health: health}), reg: reg}
	// Upstream's step 3 expects readiness to follow the database; docs/api.md §3.6 keeps that
	// behaviour behind readiness_requires_database.
	strict := &stack{handler: httpapi.NewServer(svc, prometheus.NewRegistry(), logger,
		httpapi.Config{Health: app.NewHealth(svc, time.Now, app.HealthOptions{Store: "postgresql", Database: true, RequireDatabase: true, Interval: time.Nanosecond})})}

	remediationIDs := func(r response) []string {
		var out []string
		for _, inc := range r.json(t)["incidents"].([]any) {
			out = append(out, inc.(map[string]any)["remediation_request_id"].(string))
		}
		return out
	}

	t.Run("1 health", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/health", "")
		assert.Equal(t, http.StatusOK, r.status)
		assert.JSONEq(t, `{"status":"healthy","store":"postgresql","database":"unknown"}`, string(r.body), "not checked yet: only Serve keeps checking")
	})
	t.Run("2 ready", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, s.do(t, http.MethodGet, "/health/ready", "").status)
		assert.Equal(t, http.StatusOK, strict.do(t, http.MethodGet, "/health/ready", "").status)
	})
	t.Run("5 query", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/api/v1/context/query", "")
		require.Equal(t, http.StatusOK, r.status)
		body := r.json(t)
		assert.Len(t, body["incidents"], 10)
		assert.EqualValues(t, 15, body["total"])
		assert.EqualValues(t, 10, body["limit"])
		assert.EqualValues(t, 0, body["offset"])
		assert.Equal(t, []string{"test-rr-015", "test-rr-014", "test-rr-005", "test-rr-003", "test-rr-004",
			"test-rr-002", "test-rr-001", "test-rr-006", "test-rr-007", "test-rr-008"}, remediationIDs(r))
	})
	t.Run("6 namespace", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/api/v1/context/query?namespace=production", "")
		body := r.json(t)
		assert.Len(t, body["incidents"], 10)
		assert.EqualValues(t, 10, body["total"])
		for _, inc := range body["incidents"].([]any) {
			assert.Equal(t, "production", inc.(map[string]any)["namespace"])
		}
	})
	t.Run("7 severity", func(t *testing.T) {
		body := s.do(t, http.MethodGet, "/api/v1/context/query?severity=critical", "").json(t)
		assert.Len(t, body["incidents"], 7)
		assert.EqualValues(t, 7, body["total"])
	})
	t.Run("8 page", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/api/v1/context/query?limit=5&offset=5", "")
		body := r.json(t)
		assert.EqualValues(t, 15, body["total"], "the real count, not the page size")
		assert.EqualValues(t, 5, body["limit"])
		assert.EqualValues(t, 5, body["offset"])
		assert.Equal(t, []string{"test-rr-002", "test-rr-001", "test-rr-006", "test-rr-007", "test-rr-008"}, remediationIDs(r))
	})
	t.Run("9 limit out of range", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/api/v1/context/query?limit=999", "")
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
		body := r.json(t)
		assert.Contains(t, body["errors"], map[string]any{"field": "limit", "reason": "must be between 1 and 100"})
	})
	t.Run("10 request id", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/health", "")
		assert.Regexp(t, `^[a-f0-9-]{36}$`, r.header.Get("X-Request-Id"))
	})
	t.Run("4 metrics", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/metrics", "")
		assert.Equal(t, http.StatusOK, r.status)
		text := string(r.body)
		assert.Contains(t, text, "# HELP contextapi_http_requests_total")
		assert.Contains(t, text, `contextapi_http_requests_total{code="200",method="GET",route="/api/v1/context/query"}`)
		assert.Contains(t, text, `contextapi_db_queries_total{op="list"}`)
		assert.Contains(t, text, `contextapi_db_queries_total{op="count"}`)
		assert.True(t, strings.Contains(text, "# TYPE contextapi_db_query_duration_seconds histogram"))
	})
	t.Run("3 ready after the pool closes", func(t *testing.T) {
		require.NoError(t, repo.Close())
		r := strict.do(t, http.MethodGet, "/health/ready", "")
		assert.Equal(t, http.StatusServiceUnavailable, r.status, "readiness_requires_database: 503")
		assert.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
		assert.NotEmpty(t, r.header.Get("Retry-After"))
		r = s.do(t, http.MethodGet, "/health/ready?verbose", "")
		assert.Equal(t, http.StatusOK, r.status, "by default a started process stays ready")
		assert.Contains(t, string(r.body), `"name":"database","status":"failing"`)
		assert.Equal(t, http.StatusOK, s.do(t, http.MethodGet, "/health/live", "").status)
		q := s.do(t, http.MethodGet, "/api/v1/context/query", "")
		assert.Equal(t, http.StatusServiceUnavailable, q.status)
		assert.NotContains(t, string(q.body), "sql")
	})
}
