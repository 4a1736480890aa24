package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// newTracedEnv serves repo through the read cache with tracing on, every span ending
// in the returned exporter as it ends. The propagator is the one tracing.Setup sets
// globally.
func newTracedEnv(t *testing.T, repo ports.Repository) (*testEnv, *tracetest.InMemoryExporter) {
	t.Helper()
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = provider.Shutdown(t.Context()) })
	cached, err := cache.New(repo, cache.Options{})
	require.NoError(t, err)
	t.Cleanup(cached.Close)
	return newEnvWith(t, cached, Config{TracerProvider: provider}), exporter
}

// spansNamed returns the ended spans of that name, oldest first.
func spansNamed(exporter *tracetest.InMemoryExporter, name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range exporter.GetSpans() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func attrsOf(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		out[kv.Key] = kv.Value
	}
	return out
}

// requestLines returns the access-log lines.
func requestLines(t *testing.T, env *testEnv) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range env.logs.lines(t) {
		if l["msg"] == "request" {
			out = append(out, l)
		}
	}
	return out
}

func TestTracingServerAndCacheSpans(t *testing.T) {
	env, exporter := newTracedEnv(t, fixtureRepo())
	for range 2 {
		rec := env.get(t, "/api/v1/incidents?namespace=checkout&limit=5")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}

	servers := spansNamed(exporter, "GET /api/v1/incidents")
	caches := spansNamed(exporter, "cache list")
	require.Len(t, servers, 2)
	require.Len(t, caches, 2)
	lines := requestLines(t, env)
	require.Len(t, lines, 2)
	for i, want := range []string{"miss", "hit"} {
		server, c := servers[i], caches[i]
		assert.Equal(t, trace.SpanKindServer, server.SpanKind)
		attrs := attrsOf(server)
		assert.Equal(t, "GET", attrs["http.request.method"].AsString())
		assert.Equal(t, "/api/v1/incidents", attrs["http.route"].AsString())
		assert.Equal(t, int64(http.StatusOK), attrs["http.response.status_code"].AsInt64())
		assert.NotContains(t, attrs, attribute.Key("url.path"))
		assert.NotContains(t, attrs, attribute.Key("url.query"))
		assert.Equal(t, codes.Unset, server.Status.Code)
		assert.False(t, server.Parent.IsValid(), "no caller's trace: a root span")

		assert.Equal(t, server.SpanContext.TraceID(), c.SpanContext.TraceID())
		assert.Equal(t, server.SpanContext.SpanID(), c.Parent.SpanID(), "the cache span is the request's child")
		assert.Equal(t, want, attrsOf(c)["cache.result"].AsString(), "request %d", i+1)

		assert.Equal(t, server.SpanContext.TraceID().String(), lines[i]["trace_id"], "the log line names the trace")
	}
	for _, s := range exporter.GetSpans() {
		for _, kv := range s.Attributes {
			assert.NotContains(t, kv.Value.String(), "checkout", "no filter value in span %q", s.Name)
		}
	}
}

func TestTracingContinuesTheCallersTrace(t *testing.T) {
	env, exporter := newTracedEnv(t, fixtureRepo())
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	rec := env.do(t, req)
	require.Equal(t, http.StatusOK, rec.Code)

	servers := spansNamed(exporter, "GET /api/v1/incidents")
	require.Len(t, servers, 1)
	assert.Equal(t, traceID, servers[0].SpanContext.TraceID().String())
	assert.Equal(t, parentID, servers[0].Parent.SpanID().String())
	assert.True(t, servers[0].Parent.IsRemote())
	lines := requestLines(t, env)
	require.Len(t, lines, 1)
	assert.Equal(t, traceID, lines[0]["trace_id"])
}

func TestTracingNamesSpansByTemplate(t *testing.T) {
	env, exporter := newTracedEnv(t, fixtureRepo())
	env.get(t, "/api/v1/incidents/987654321")
	env.get(t, "/no/such/path/secret-123")

	require.Len(t, spansNamed(exporter, "GET /api/v1/incidents/:id"), 1)
	gets := spansNamed(exporter, "cache get")
	require.Len(t, gets, 1)
	unmatched := spansNamed(exporter, "GET")
	require.Len(t, unmatched, 1, "a request no route matched is named by its method alone")
	assert.NotContains(t, attrsOf(unmatched[0]), attribute.Key("http.route"))
	assert.Equal(t, int64(http.StatusNotFound), attrsOf(unmatched[0])["http.response.status_code"].AsInt64())
	for _, s := range exporter.GetSpans() {
		assert.NotContains(t, s.Name, "987654321")
		for _, kv := range s.Attributes {
			assert.NotContains(t, kv.Value.String(), "secret-123")
			assert.NotContains(t, kv.Value.String(), "987654321")
		}
	}
}

func TestTracingMarksServerErrors(t *testing.T) {
	env, exporter := newTracedEnv(t, &stubRepo{Repository: fixtureRepo(), err: domain.ErrUnavailable})
	rec := env.get(t, "/api/v1/incidents")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)

	servers := spansNamed(exporter, "GET /api/v1/incidents")
	require.Len(t, servers, 1)
	assert.Equal(t, codes.Error, servers[0].Status.Code)
	assert.Equal(t, int64(http.StatusServiceUnavailable), attrsOf(servers[0])["http.response.status_code"].AsInt64())
	caches := spansNamed(exporter, "cache list")
	require.Len(t, caches, 1)
	assert.Equal(t, codes.Error, caches[0].Status.Code)
	assert.Equal(t, "miss", attrsOf(caches[0])["cache.result"].AsString())
}

func TestTracingOffLogsNoTraceID(t *testing.T) {
	env := newEnv(t)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	require.Equal(t, http.StatusOK, env.do(t, req).Code)
	lines := requestLines(t, env)
	require.Len(t, lines, 1)
	assert.NotContains(t, lines[0], "trace_id")
	assert.False(t, strings.Contains(env.logs.String(), "4bf92f3577b34da6a3ce929d0e0e4736"))
}
