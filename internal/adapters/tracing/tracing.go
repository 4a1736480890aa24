package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// DefaultServiceName names the service when OTEL_SERVICE_NAME does not.
const DefaultServiceName = "contextapi"

// ShutdownTimeout bounds the final flush (Tracing.Close).
const ShutdownTimeout = 5 * time.Second

// Tracing is what Setup decided and built.
type Tracing struct {
	// Enabled: the environment asked for OTLP traces.
	Enabled bool
	// Endpoint is where spans go, for the first log line (no user info, no query); empty
	// when off.
	Endpoint string
	// Provider makes the spans (also set globally); nil when off, so adapters handed it
	// make no span and spend nothing.
	Provider trace.TracerProvider
	// Shutdown flushes the spans still buffered and stops the exporter; a no-op when off.
	Shutdown func(context.Context) error
}

// Describe is a few words for the first log line: off, or where spans go.
func (t Tracing) Describe() string {
	if !t.Enabled {
		return "off"
	}
	return "OTLP/HTTP to " + t.Endpoint
}

// Close flushes within ShutdownTimeout.
func (t Tracing) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	return t.Shutdown(ctx)
}

// Enabled reports whether the environment (read through getenv) asks for traces:
// OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint set (OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) with OTEL_TRACES_EXPORTER unset; never when
// OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Another exporter, or another
// OTLP protocol than http/protobuf, is an error rather than silently no traces.
func Enabled(getenv func(string) string) (bool, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false, nil
	}
	switch exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exporter {
	case "none":
		return false, nil
	case "":
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			return false, nil
		}
	case "otlp":
	default:
		return false, fmt.Errorf("tracing: OTEL_TRACES_EXPORTER=%q: only otlp (or none) is supported", exporter)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := strings.TrimSpace(getenv(name)); p != "" {
			if p != "http/protobuf" {
				return false, fmt.Errorf("tracing: %s=%q: only http/protobuf is supported", name, p)
			}
			break // the per-signal variable wins
		}
	}
	return true, nil
}

// Setup builds tracing from the process environment. Off, it changes nothing: the
// global tracer provider stays the OTel no-op. On, it makes an SDK provider exporting
// over OTLP/HTTP in batches (the exporter reads the endpoint, headers, timeout,
// compression and TLS variables itself; the SDK reads OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG, defaulting to parent-based always-on, and OTEL_BSP_*), names
// the service from OTEL_SERVICE_NAME (else DefaultServiceName) and OTEL_RESOURCE_ATTRIBUTES,
// and sets it and the trace-context and baggage propagators globally. OTel's own errors
// (a collector that does not answer, say) go to logger as warnings; nil discards them.
func Setup(ctx context.Context, logger *slog.Logger) (Tracing, error) {
	off := Tracing{Shutdown: func(context.Context) error { return nil }}
	on, err := Enabled(os.Getenv)
	if err != nil || !on {
		return off, err
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return off, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	// Later options win: the default name, then what the environment says.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", DefaultServiceName)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		_ = exporter.Shutdown(ctx)
		return off, fmt.Errorf("tracing: resource: %w", err)
	}
	if logger != nil {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			logger.Warn("tracing: OpenTelemetry failed", "error", err.Error())
		}))
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(provider)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return Tracing{Enabled: true, Endpoint: endpoint(os.Getenv), Provider: provider, Shutdown: provider.Shutdown}, nil
}

// endpoint is the URL spans are posted to, as the exporter derives it, without user
// info or query (which may carry secrets).
func endpoint(getenv func(string) string) string {
	raw, path := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), ""
	if raw == "" {
		raw, path = getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), "/v1/traces"
	}
	if raw == "" {
		return "https://localhost:4318/v1/traces (the exporter's default)"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "an unparsable OTLP endpoint"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	if path != "" {
		u.Path = strings.TrimSuffix(u.Path, "/") + path
	}
	return u.String()
}
