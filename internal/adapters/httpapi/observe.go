package httpapi

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"
)

// quietRoutes are polled by machines; their successes are logged at debug level only.
var quietRoutes = map[string]bool{
	"/health": true, "/health/live": true, "/livez": true, "/health/ready": true, "/readyz": true, "/metrics": true,
}

// observe renders any error the handler returned (so the status is final), then records
// the request's metrics and writes its one access-log line.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		s.inFlight.Inc()
		s.active.Add(1)
		if err := next(c); err != nil {
			c.Error(err)
		}
		s.active.Add(-1)
		s.inFlight.Dec()
		elapsed := time.Since(start)
		req, res := c.Request(), c.Response()
		route := s.routeOf(c)
		s.observeRequest(req.Method, route, res.Status, elapsed)
		level := slog.LevelInfo
		if quietRoutes[route] && res.Status < 400 {
			level = slog.LevelDebug // probes and scrapes every few seconds would drown the rest
		}
		ctx := req.Context()
		log := s.logger.Handler()
		if !log.Enabled(ctx, level) {
			return nil
		}
		line := requestLine{
			at: start.Add(elapsed), level: level, method: req.Method, route: route, path: req.URL.Path,
			status: res.Status, latency: elapsed, requestID: requestIDOf(c), bytes: res.Size, principal: principalOf(c),
		}
		if s.tracer != nil {
			// Ties the line to its trace; also when the sampler dropped the span, since
			// the caller's trace may have been kept upstream.
			if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
				line.traceID = sc.TraceID().String()
			}
		}
		_ = line.write(ctx, log) // a log that cannot be written has nowhere to report it
		return nil
	}
}

// routeOf returns the route template that matched c's request. Echo reports the nearest
// template even for a wrong method (405), which is still a bounded label; requests no
// template matched get routeUnmatched.
func (s *Server) routeOf(c echo.Context) string {
	if p := c.Path(); s.routes[p] {
		return p
	}
	return routeUnmatched
}
