package tracing

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otelVariables are cleared for every test: the environment running the tests must not
// decide them.
var otelVariables = []string{
	"OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
	"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
	"OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
}

func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range otelVariables {
		t.Setenv(name, "")
	}
}

func TestEnabled(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want bool
		err  string
	}{
		{name: "nothing set", want: false},
		{name: "exporter otlp", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, want: true},
		{name: "endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, want: true},
		{name: "traces endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, want: true},
		{name: "exporter none wins over an endpoint",
			env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, want: false},
		{name: "sdk disabled", env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, want: false},
		{name: "sdk disabled, any case", env: map[string]string{"OTEL_SDK_DISABLED": "TRUE", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c"}},
		{name: "sdk not disabled", env: map[string]string{"OTEL_SDK_DISABLED": "false", "OTEL_TRACES_EXPORTER": "otlp"}, want: true},
		{name: "http/protobuf", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, want: true},
		{name: "per-signal protocol wins",
			env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
				"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, want: true},
		{name: "grpc refused", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
			err: `OTEL_EXPORTER_OTLP_PROTOCOL="grpc"`},
		{name: "other exporter refused", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, err: `OTEL_TRACES_EXPORTER="zipkin"`},
		{name: "protocol alone is not a request", env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, want: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Enabled(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEndpoint(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	assert.Equal(t, "http://collector:4318/v1/traces", endpoint(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")))
	assert.Equal(t, "https://c/base/v1/traces", endpoint(env("OTEL_EXPORTER_OTLP_ENDPOINT", "https://user:pw@c/base/?token=x")))
	assert.Equal(t, "http://c:4318/custom", endpoint(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://other",
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/custom")))
	assert.Contains(t, endpoint(env()), "localhost:4318")
}

func TestSetupOff(t *testing.T) {
	clearEnv(t)
	before := otel.GetTracerProvider()
	tr, err := Setup(t.Context(), nil)
	require.NoError(t, err)
	assert.False(t, tr.Enabled)
	assert.Nil(t, tr.Provider)
	assert.Equal(t, "off", tr.Describe())
	assert.Equal(t, before, otel.GetTracerProvider(), "the global provider stays the no-op")
	require.NoError(t, tr.Close())
}

func TestSetupRefusesAnotherProtocol(t *testing.T) {
	clearEnv(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	tr, err := Setup(t.Context(), nil)
	require.Error(t, err)
	assert.False(t, tr.Enabled)
	require.NoError(t, tr.Close())
}

// collector records the OTLP/HTTP export requests it receives.
type collector struct {
	mu       sync.Mutex
	paths    []string
	requests []*coltrace.ExportTraceServiceRequest
	types    []string
	auth     []string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	req := &coltrace.ExportTraceServiceRequest{}
	if err == nil {
		err = proto.Unmarshal(body, req)
	}
	c.mu.Lock()
	c.paths = append(c.paths, r.Method+" "+r.URL.Path)
	c.types = append(c.types, r.Header.Get("Content-Type"))
	c.auth = append(c.auth, r.Header.Get("Authorization"))
	if err == nil {
		c.requests = append(c.requests, req)
	}
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	_, _ = w.Write(out)
}

func TestSetupExportsOverOTLPHTTPOnShutdown(t *testing.T) {
	clearEnv(t)
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20secret")

	tr, err := Setup(context.Background(), nil)
	require.NoError(t, err)
	require.True(t, tr.Enabled)
	assert.Equal(t, "OTLP/HTTP to "+srv.URL+"/v1/traces", tr.Describe())
	assert.Same(t, tr.Provider, otel.GetTracerProvider(), "set globally")

	_, span := tr.Provider.Tracer("test").Start(context.Background(), "GET /api/v1/incidents")
	span.End()
	col.mu.Lock()
	assert.Empty(t, col.paths, "batched: nothing sent before the flush")
	col.mu.Unlock()
	require.NoError(t, tr.Close())

	col.mu.Lock()
	defer col.mu.Unlock()
	require.Equal(t, []string{"POST /v1/traces"}, col.paths)
	assert.Equal(t, "application/x-protobuf", col.types[0])
	assert.Equal(t, "Bearer secret", col.auth[0], "the exporter reads OTEL_EXPORTER_OTLP_HEADERS")
	require.Len(t, col.requests, 1)
	rs := col.requests[0].GetResourceSpans()
	require.Len(t, rs, 1)
	service := ""
	for _, kv := range rs[0].GetResource().GetAttributes() {
		if kv.GetKey() == "service.name" {
			service = kv.GetValue().GetStringValue()
		}
	}
	assert.Equal(t, DefaultServiceName, service)
	require.Len(t, rs[0].GetScopeSpans(), 1)
	spans := rs[0].GetScopeSpans()[0].GetSpans()
	require.Len(t, spans, 1)
	assert.Equal(t, "GET /api/v1/incidents", spans[0].GetName())
}

func TestSetupReadsServiceNameAndSamplerFromTheEnvironment(t *testing.T) {
	clearEnv(t)
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", srv.URL+"/custom/path")
	t.Setenv("OTEL_SERVICE_NAME", "contextapi-eu")
	t.Setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", "0")

	tr, err := Setup(context.Background(), nil)
	require.NoError(t, err)
	tracer := tr.Provider.Tracer("test")
	_, dropped := tracer.Start(context.Background(), "root, ratio 0")
	assert.False(t, dropped.SpanContext().IsSampled(), "the SDK reads OTEL_TRACES_SAMPLER")
	assert.True(t, dropped.SpanContext().IsValid(), "ids still exist for the logs")
	dropped.End()
	parent := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled, Remote: true})
	_, kept := tracer.Start(trace.ContextWithRemoteSpanContext(context.Background(), parent), "sampled parent")
	assert.True(t, kept.SpanContext().IsSampled(), "parent-based: a sampled caller's trace is kept")
	kept.End()
	require.NoError(t, tr.Close())

	col.mu.Lock()
	defer col.mu.Unlock()
	require.Equal(t, []string{"POST /custom/path"}, col.paths)
	require.Len(t, col.requests, 1)
	rs := col.requests[0].GetResourceSpans()
	require.Len(t, rs, 1)
	names := map[string]string{}
	for _, kv := range rs[0].GetResource().GetAttributes() {
		names[kv.GetKey()] = kv.GetValue().GetStringValue()
	}
	assert.Equal(t, "contextapi-eu", names["service.name"])
	require.Len(t, rs[0].GetScopeSpans(), 1)
	spans := rs[0].GetScopeSpans()[0].GetSpans()
	require.Len(t, spans, 1)
	assert.Equal(t, "sampled parent", spans[0].GetName())
}
