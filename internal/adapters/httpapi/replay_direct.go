package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// replaysDirectly reports whether remembered answers are served before Echo
// (serveRemembered): only when nothing has to be decided or traced first. With
// authentication, client certificates, a rate limit or tracing configured, the answer
// is replayed inside Echo's chain (replayRemembered), after those.
func (s *Server) replaysDirectly() bool {
	return s.responses != nil && s.tracer == nil && s.cfg.Auth == nil && !s.cfg.RequireClientCert && s.cfg.RateLimiter == nil
}

// serveRemembered answers a GET or HEAD /api/* request with its remembered answer
// without Echo's context, router and middleware closures, which cost a replayed answer
// a fifth of its throughput (docs/performance.md, P1). It does what that chain does for
// a replay, no more: the request id, the same headers and body, the request's metrics
// under its route template and its one log line. False when there is no remembered
// answer: the request then takes the full path, which looks for none again.
func (s *Server) serveRemembered(w http.ResponseWriter, r *http.Request) bool {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || !strings.HasPrefix(r.URL.Path, apiPrefix) {
		return false
	}
	rep, ok := s.responses.Replay(replayKey(r))
	if !ok || rep.route == "" {
		return false
	}
	start := time.Now()
	s.inFlight.Inc()
	s.active.Add(1)
	id := firstValue(r.Header, headerRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	}
	h := w.Header()
	h[headerRequestID] = []string{id}
	rep.setHeaders(h)
	w.WriteHeader(http.StatusOK)
	// A client gone mid-answer is logged with the bytes sent.
	n, _ := w.Write(rep.body) // #nosec G705 -- the JSON this service encoded and remembered, sent as application/json
	s.active.Add(-1)
	s.inFlight.Dec()
	elapsed := time.Since(start)
	s.observeRequest(r.Method, rep.route, http.StatusOK, elapsed)
	ctx, log := r.Context(), s.logger.Handler()
	if log.Enabled(ctx, slog.LevelInfo) {
		line := requestLine{
			at: start.Add(elapsed), level: slog.LevelInfo, method: r.Method, route: rep.route, path: r.URL.Path,
			status: http.StatusOK, latency: elapsed, requestID: id, bytes: int64(n),
		}
		_ = line.write(ctx, log) // a log that cannot be written has nowhere to report it
	}
	return true
}
