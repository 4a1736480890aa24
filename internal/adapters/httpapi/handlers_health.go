package httpapi

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

// errShuttingDown fails readiness once shutdown has begun.
var errShuttingDown = fmt.Errorf("httpapi: shutting down: %w", domain.ErrUnavailable)

// health serves GET /health: the process answers, nothing more (upstream's shape).
func (s *Server) health(c echo.Context) error {
	return writeJSON(c, http.StatusOK, statusResponse{Status: "healthy"})
}

// live serves GET /health/live and /livez. It never looks at dependencies: a database
// outage must not get every replica restarted.
func (s *Server) live(c echo.Context) error {
	return writeJSON(c, http.StatusOK, statusResponse{Status: "alive"})
}

// ready serves GET /health/ready and /readyz: 200 while the repository answers a ping
// (the app bounds it to a second), 503 otherwise and from the moment shutdown begins.
func (s *Server) ready(c echo.Context) error {
	if s.draining.Load() {
		return errShuttingDown
	}
	if err := s.svc.Ready(c.Request().Context()); err != nil {
		// Whatever the cause, not ready is 503: %v keeps its text for the log without
		// letting it decide the status.
		return fmt.Errorf("httpapi: not ready: %w: %v", domain.ErrUnavailable, err)
	}
	return writeJSON(c, http.StatusOK, statusResponse{Status: "ready"})
}
