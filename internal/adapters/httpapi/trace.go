package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the request spans.
const tracerName = "contextapi/httpapi"

// traceRequests gives the request a server span, only installed when tracing is on. It
// continues the caller's trace when the request carries a W3C traceparent (the globally
// set propagator: trace context and baggage), and puts the span in the request's
// context, where the cache and the repository find their parent and observe the trace
// id. The span is named by method and route template and records neither the raw path
// nor the query: they can hold ids and junk, and the template is enough.
func (s *Server) traceRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		ctx := otel.GetTextMapPropagator().Extract(req.Context(), propagation.HeaderCarrier(req.Header))
		method := spanMethod(req.Method)
		route := s.routeOf(c) // Echo has routed before it runs middleware
		name := method
		attrs := []attribute.KeyValue{attribute.String("http.request.method", method)}
		if route != routeUnmatched {
			name += " " + route
			attrs = append(attrs, attribute.String("http.route", route))
		}
		ctx, span := s.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
		defer span.End()
		c.SetRequest(req.WithContext(ctx))
		err := next(c) // observe renders errors: the status is final
		status := c.Response().Status
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, "")
		}
		return err
	}
}

// spanMethod bounds the method, as OTel's HTTP conventions ask: clients may send any
// token as a method.
func spanMethod(method string) string {
	if m := methodLabel(method); m != "OTHER" {
		return m
	}
	return "_OTHER"
}
