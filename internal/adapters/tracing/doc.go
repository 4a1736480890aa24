// Package tracing sets up OpenTelemetry tracing from the standard OTEL_* environment:
// off unless it asks for an OTLP exporter, and then spans go over OTLP/HTTP
// (http/protobuf) to the configured collector. The other adapters make their own spans
// with the OTel API; this package only builds the provider they are handed, sets it
// and the W3C trace-context and baggage propagators globally, and flushes it at the end.
package tracing
