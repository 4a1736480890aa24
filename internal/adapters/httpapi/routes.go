package httpapi

import (
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// register adds every route of docs/api.md §3. openapi.yaml documents exactly these; a test
// keeps the two in step.
func (s *Server) register(e *echo.Echo, reg *prometheus.Registry) {
	api := e.Group("/api/v1")
	api.GET("/incidents", s.listIncidents)
	api.GET("/context/query", s.listIncidents) // upstream's name for the same list
	api.GET("/incidents/:id", s.getIncident)
	api.GET("/incidents/:id/similar", s.similarIncidents)
	api.POST("/search/semantic", s.semanticSearch)

	api.GET("/aggregations/success-rate", s.successRate)
	api.GET("/aggregations/namespaces", s.namespaces)
	api.GET("/aggregations/severity", s.severity)
	api.GET("/aggregations/trend", s.trend)

	// The context endpoints (docs/api.md §3.5 and §3.7); handlers in handlers_context.go.
	api.GET("/context/remediation/:remediation_request_id", s.remediationContext)
	api.GET("/context/historical", s.historicalContext)

	e.GET("/health", s.healthStatus)
	e.GET("/health/live", s.live)
	e.GET("/livez", s.live)
	e.GET("/health/ready", s.ready)
	e.GET("/readyz", s.ready)
	if s.cfg.MetricsAddr == "" {
		e.GET("/metrics", echo.WrapHandler(s.metricsHandler))
	}
	e.GET("/openapi.json", s.openapiDocument)
}
