package httpapi

import (
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// register adds every route of docs/api.md §3. openapi.yaml documents exactly these; a test
// keeps the two in step. Every GET goes through get, which serves HEAD on it too.
func (s *Server) register(e *echo.Echo, reg *prometheus.Registry) {
	api := e.Group("/api/v1")
	get(api, "/incidents", s.listIncidents)
	get(api, "/context/query", s.listIncidents) // upstream's name for the same list
	get(api, "/incidents/:id", s.getIncident)
	get(api, "/incidents/:id/similar", s.similarIncidents)
	api.POST("/search/semantic", s.semanticSearch)

	get(api, "/aggregations/success-rate", s.successRate)
	get(api, "/aggregations/namespaces", s.namespaces)
	get(api, "/aggregations/severity", s.severity)
	get(api, "/aggregations/trend", s.trend)

	// The context endpoints (docs/api.md §3.5 and §3.7); handlers in handlers_context.go.
	get(api, "/context/remediation/:remediation_request_id", s.remediationContext)
	get(api, "/context/historical", s.historicalContext)

	get(e, "/health", s.healthStatus)
	get(e, "/health/live", s.live)
	get(e, "/livez", s.live)
	get(e, "/health/ready", s.ready)
	get(e, "/readyz", s.ready)
	if s.cfg.MetricsAddr == "" {
		// Streamed by promhttp: no Content-Length, for HEAD as for GET.
		get(e, "/metrics", echo.WrapHandler(s.metricsHandler))
	}
	get(e, "/openapi.json", s.openapiDocument)
	if s.cfg.MCP != nil {
		// POST only: the MCP endpoint is stateless (no event stream to GET, no session
		// to DELETE), and Echo answers other methods with the API's 405 problem.
		e.POST(mcpPath, echo.WrapHandler(s.cfg.MCP))
	}
}

// router is what Echo and its groups share for adding GET and HEAD routes.
type router interface {
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	HEAD(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// get adds h as the GET route of path and as its HEAD route (docs/api.md §3): the same
// handler, so HEAD answers the GET's status and headers; net/http discards the body a
// handler writes for a HEAD request, and writeBlob has set its Content-Length. Routes
// then list HEAD in Allow, after GET.
func get(r router, path string, h echo.HandlerFunc) {
	r.GET(path, h)
	r.HEAD(path, h)
}
