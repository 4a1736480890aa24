package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

func scrape(t *testing.T, env *testEnv) string {
	t.Helper()
	rec := env.get(t, "/metrics")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Header().Get("Content-Type"), "text/plain")
	return rec.Body.String()
}

func TestMetricsUseRouteTemplates(t *testing.T) {
	env := newEnv(t)
	env.get(t, "/api/v1/incidents/3")
	env.get(t, "/api/v1/incidents/4")
	env.get(t, "/api/v1/incidents/999")
	env.get(t, "/nowhere/123")
	env.do(t, httptest.NewRequest(http.MethodDelete, "/api/v1/incidents", nil))
	env.do(t, httptest.NewRequest("BREW", "/api/v1/incidents", nil))

	text := scrape(t, env)
	for _, want := range []string{
		`contextapi_http_requests_total{code="200",method="GET",route="/api/v1/incidents/:id"} 2`,
		`contextapi_http_requests_total{code="404",method="GET",route="/api/v1/incidents/:id"} 1`,
		`contextapi_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`contextapi_http_requests_total{code="405",method="DELETE",route="/api/v1/incidents"} 1`,
		`contextapi_http_requests_total{code="405",method="OTHER",route="/api/v1/incidents"} 1`,
		`contextapi_http_request_duration_seconds_count{method="GET",route="/api/v1/incidents/:id"} 3`,
		`contextapi_http_request_duration_seconds_bucket{method="GET",route="/api/v1/incidents/:id",le="+Inf"} 3`,
		"go_goroutines ",
		"process_",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, `route="/api/v1/incidents/3"`, "raw paths never become labels")
	assert.NotContains(t, text, "/nowhere")
	assert.NotContains(t, text, "BREW")
}

// TestMetricsRegistrationIsIdempotent checks two servers can share a registry (and that a
// root which registered the Go collector itself does not make NewServer panic).
func TestMetricsRegistrationIsIdempotent(t *testing.T) {
	env := newEnv(t)
	svc := app.NewService(fixtureRepo(), func() time.Time { return porttest.FixtureNow }, app.NewCursorCodec([]byte("test")))
	var second *Server
	require.NotPanics(t, func() { second = NewServer(svc, env.reg, nil, Config{}) })

	env.get(t, "/health")
	rec := httptest.NewRecorder()
	second.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	require.Equal(t, http.StatusOK, rec.Code)

	assert.Contains(t, scrape(t, env), `contextapi_http_requests_total{code="200",method="GET",route="/health"} 2`)
	families, err := env.reg.Gather()
	require.NoError(t, err)
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	assert.Equal(t, 1, strings.Count(strings.Join(names, " ")+" ", "contextapi_http_requests_total "))
}

// TestRuntimeCollectorsMayBeRegisteredByTheRoot mirrors the root's provider, which
// registers the Go and process collectors before handing the registry over.
func TestRuntimeCollectorsMayBeRegisteredByTheRoot(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	svc := app.NewService(fixtureRepo(), func() time.Time { return porttest.FixtureNow }, app.NewCursorCodec([]byte("test")))
	require.NotPanics(t, func() { NewServer(svc, reg, nil, Config{}) })
	_, err := reg.Gather()
	require.NoError(t, err)
}
