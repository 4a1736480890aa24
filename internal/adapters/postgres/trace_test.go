package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

func TestStatementSpans(t *testing.T) {
	requireDatabase(t)
	repo := openLoaded(t, porttest.Fixture(porttest.FixtureNow))
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = provider.Shutdown(context.Background()) })

	// Outside any traced request (health checks, say): counted, never a span.
	require.NoError(t, repo.Ping(t.Context()))
	assert.Empty(t, exporter.GetSpans())

	const secret = "ns-secret-4711"
	ctx, parent := provider.Tracer("test").Start(t.Context(), "request")
	_, _, err := repo.List(ctx, domain.ListQuery{Limit: 5, Filter: domain.Filter{Namespaces: []string{secret}, Names: []string{"name-0815"}}})
	require.NoError(t, err)
	require.NoError(t, repo.Ping(ctx))
	parent.End()

	var names []string
	for _, s := range exporter.GetSpans() {
		if s.Name == "request" {
			continue
		}
		names = append(names, s.Name)
		assert.Equal(t, trace.SpanKindClient, s.SpanKind, s.Name)
		assert.Equal(t, parent.SpanContext().SpanID(), s.Parent.SpanID(), "%s is the caller's child", s.Name)
		assert.Equal(t, parent.SpanContext().TraceID(), s.SpanContext.TraceID())
		assert.Equal(t, tracerName, s.InstrumentationScope.Name)
		attrs := map[string]string{}
		for _, kv := range s.Attributes {
			attrs[string(kv.Key)] = kv.Value.String()
			assert.NotContains(t, kv.Value.String(), secret)
			assert.NotContains(t, kv.Value.String(), "0815")
		}
		op := strings.TrimPrefix(s.Name, "db ")
		assert.Equal(t, map[string]string{"db.system.name": "postgresql", "db.operation.name": op}, attrs,
			"the operation only: no statement, no values")
		assert.Empty(t, s.Events)
	}
	t.Logf("statements: %v", names)
	assert.Contains(t, names, "db list")
	assert.True(t, containsAny(names, "db count", "db estimate"), "the total's statement: %v", names)
	assert.Contains(t, names, "db ping")
	assert.InDelta(t, 1, repo.Metrics().Queries("list"), 0, "statements are still counted")
	assert.InDelta(t, 2, repo.Metrics().Queries("ping"), 0)
}

func containsAny(names []string, want ...string) bool {
	for _, n := range names {
		for _, w := range want {
			if n == w {
				return true
			}
		}
	}
	return false
}
