package httpapi

import (
	"context"
	"log/slog"
	"time"

	"github.com/contextapi/contextapi/internal/logjson"
)

// requestLine is the one log line a request gets.
type requestLine struct {
	at                  time.Time
	level               slog.Level
	method, route, path string
	status              int
	latency             time.Duration
	requestID           string
	bytes               int64
	principal, traceID  string // written only when set
}

// write logs the line through log. The JSON handler builds it field by field, without a
// slog.Record: the line was the largest cost of a replayed answer (docs/performance.md).
// Any other handler (the text format) gets the Record; both write the same fields.
func (l *requestLine) write(ctx context.Context, log slog.Handler) error {
	if fast, ok := log.(*logjson.Handler); ok {
		if line, ok := fast.Line(l.at, l.level, "request"); ok {
			line.String("method", l.method)
			line.String("route", l.route)
			line.String("path", l.path)
			line.Int("status", int64(l.status))
			line.Duration("latency", l.latency)
			line.String("request_id", l.requestID)
			line.Int("bytes", l.bytes)
			if l.principal != "" {
				line.String("principal", l.principal)
			}
			if l.traceID != "" {
				line.String("trace_id", l.traceID)
			}
			return line.Write()
		}
	}
	// Straight to the handler: slog.Logger would also capture the caller's program
	// counter (runtime.Callers), which no handler here reads, on every request.
	r := slog.NewRecord(l.at, l.level, "request", 0)
	r.AddAttrs(
		slog.String("method", l.method),
		slog.String("route", l.route),
		slog.String("path", l.path),
		slog.Int("status", l.status),
		slog.Duration("latency", l.latency),
		slog.String("request_id", l.requestID),
		slog.Int64("bytes", l.bytes),
	)
	if l.principal != "" {
		r.AddAttrs(slog.String("principal", l.principal))
	}
	if l.traceID != "" {
		r.AddAttrs(slog.String("trace_id", l.traceID))
	}
	return log.Handle(ctx, r)
}
