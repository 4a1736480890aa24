package cache

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/contextapi/contextapi/internal/domain"
)

// tracedContext returns a context under a recording span of a provider exporting to
// the returned exporter as spans end, and that span's context.
func tracedContext(t *testing.T) (context.Context, trace.SpanContext, *tracetest.InMemoryExporter) {
	t.Helper()
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = provider.Shutdown(context.Background()) })
	ctx, parent := provider.Tracer("test").Start(context.Background(), "request")
	t.Cleanup(func() { parent.End() })
	return ctx, parent.SpanContext(), exporter
}

// readSpans returns the cache's ended spans as name and cache.result, checking each is
// a child of parent.
func readSpans(t *testing.T, exporter *tracetest.InMemoryExporter, parent trace.SpanContext) [][2]string {
	t.Helper()
	var out [][2]string
	for _, s := range exporter.GetSpans() {
		require.Equal(t, parent.SpanID(), s.Parent.SpanID(), s.Name)
		require.Equal(t, parent.TraceID(), s.SpanContext.TraceID(), s.Name)
		assert.Equal(t, tracerName, s.InstrumentationScope.Name)
		result := ""
		for _, kv := range s.Attributes {
			if kv.Key == "cache.result" {
				result = kv.Value.AsString()
			}
		}
		out = append(out, [2]string{s.Name, result})
	}
	exporter.Reset()
	return out
}

func TestReadSpans(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute, StaleWindow: time.Hour})
	ctx, parent, exporter := tracedContext(t)

	list := domain.ListQuery{Limit: 5}
	for range 2 {
		_, _, err := e.cache.List(ctx, list)
		require.NoError(t, err)
	}
	assert.Equal(t, [][2]string{{"cache list", "miss"}, {"cache list", "hit"}}, readSpans(t, exporter, parent))

	_, _, err := e.cache.Get(ctx, domain.GetQuery{ID: 1})
	require.NoError(t, err)
	_, _, err = e.cache.Aggregate(ctx, domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimActionType}})
	require.NoError(t, err)
	_, _, err = e.cache.Search(ctx, domain.SemanticQuery{Embedding: []float32{1, 0}, Limit: 3})
	require.NoError(t, err)
	_, _, err = e.cache.Search(ctx, domain.SemanticQuery{Embedding: []float32{float32(math.NaN())}, Limit: 3})
	require.ErrorIs(t, err, domain.ErrInvalidArgument) // after the bypass
	assert.Equal(t, [][2]string{
		{"cache get", "miss"}, {"cache aggregate", "miss"}, {"cache search", "miss"}, {"cache search", "bypass"},
	}, readSpans(t, exporter, parent))

	e.clock.Advance(2 * time.Minute)
	e.repo.setErr(domain.ErrUnavailable)
	_, read, err := e.cache.List(ctx, list)
	require.NoError(t, err)
	require.Equal(t, domain.ReadStale, read.Source)
	_, _, err = e.cache.List(ctx, domain.ListQuery{Limit: 6})
	require.ErrorIs(t, err, domain.ErrUnavailable)
	failed := exporter.GetSpans()
	assert.Equal(t, [][2]string{{"cache list", "stale"}, {"cache list", "miss"}}, readSpans(t, exporter, parent))
	require.Len(t, failed, 2)
	assert.Equal(t, codes.Unset, failed[0].Status.Code)
	assert.Equal(t, codes.Error, failed[1].Status.Code)
	assert.Empty(t, failed[1].Status.Description, "no error text in traces")
}

func TestNoReadSpanOutsideARecordingSpan(t *testing.T) {
	e := newEnv(t, Options{})
	_, _, exporter := tracedContext(t)
	for range 2 {
		_, _, err := e.cache.List(context.Background(), domain.ListQuery{Limit: 5})
		require.NoError(t, err)
	}
	assert.Empty(t, exporter.GetSpans())
	ctx, _ := startSpan(context.Background(), spanList)
	assert.Equal(t, context.Background(), ctx, "tracing off: the context is handed back as it came")
}

func TestSpanNames(t *testing.T) {
	list, _ := listKey(domain.ListQuery{})
	search, _ := searchKey(domain.SemanticQuery{})
	aggregate, _ := aggregateKey(domain.AggregateQuery{})
	assert.Equal(t, spanList, spanNameOf(list))
	assert.Equal(t, spanSearch, spanNameOf(search))
	assert.Equal(t, spanAggregate, spanNameOf(aggregate))
	assert.Equal(t, spanGet, spanNameOf(getKey(domain.GetQuery{ID: 7})))
	assert.Equal(t, spanOther, spanNameOf(replayKey("/x")))
}
