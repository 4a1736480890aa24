package test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// stack is the HTTP API over one repository, with a fixed clock.
type stack struct {
	handler http.Handler
	reg     *prometheus.Registry
}

func newStack(repo ports.Repository, now time.Time) *stack {
	reg := prometheus.NewRegistry()
	svc := app.NewService(repo, func() time.Time { return now }, app.NewCursorCodec([]byte("e2e")))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &stack{handler: httpapi.NewServer(svc, reg, logger, httpapi.Config{}), reg: reg}
}

func memoryStack(events []domain.IncidentEvent, now time.Time) *stack {
	return newStack(memory.NewRepository(events), now)
}

// postgresStackVia loads events into a fresh database and serves them, through
// PgBouncer in transaction pooling mode when pooled.
func postgresStackVia(t *testing.T, events []domain.IncidentEvent, now time.Time, pooled bool) (*stack, *postgres.Repository) {
	t.Helper()
	dsn := pg.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, postgres.Load(ctx, dsn, postgres.Events(events), postgres.LoadOptions{}))
	if pooled {
		dsn = pg.ThroughPooler(t, dsn)
	}
	return postgresStackFromDSN(t, dsn, now)
}

// eachPath runs f with PostgreSQL reached directly, then through PgBouncer in
// transaction pooling mode (which rejects unknown startup parameters and gives each
// transaction whichever server session is free).
func eachPath(t *testing.T, f func(t *testing.T, pooled bool)) {
	t.Run("direct", func(t *testing.T) { f(t, false) })
	t.Run("pgbouncer", func(t *testing.T) { f(t, true) })
}

// postgresStackFromDSN serves an already loaded database.
func postgresStackFromDSN(t *testing.T, dsn string, now time.Time) (*stack, *postgres.Repository) {
	t.Helper()
	reg := prometheus.NewRegistry()
	repo, err := postgres.Open(dsn, postgres.Options{Metrics: postgres.NewMetrics(reg)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = repo.Close() })
	s := newStack(repo, now)
	return s, repo
}

// response is one answer, decoded.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (s *stack) do(t *testing.T, method, target, body string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal(r.body, &out), "body: %s", r.body)
	return out
}
