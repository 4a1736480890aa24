package httpapi

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// healthStatus serves GET /health: the process answers, what it reads, and the database's
// state as last checked. It never waits on the database: upstream's manifests use it
// for liveness.
func (s *Server) healthStatus(c echo.Context) error {
	res := healthResponse{Status: "healthy", Store: s.storeHealth.Store()}
	if s.storeHealth.ReportsDatabase() {
		res.Database = databaseWord(s.storeHealth.Last())
	}
	return writeJSON(c, http.StatusOK, res)
}

func databaseWord(st app.DatabaseState) string {
	switch {
	case !st.Checked:
		return "unknown"
	case st.Up:
		return "up"
	}
	return "down"
}

// live serves GET /health/live and /livez. It never looks at dependencies: a database
// outage must not get every replica restarted.
func (s *Server) live(c echo.Context) error {
	return writeJSON(c, http.StatusOK, statusResponse{Status: "alive"})
}

// ready serves GET /health/ready and /readyz as app.Health decides; ?verbose lists the
// checks, in the 503 problem document too.
func (s *Server) ready(c echo.Context) error {
	_, verbose := c.QueryParams()["verbose"]
	r := s.storeHealth.Readiness(c.Request().Context(), s.draining.Load(), verbose)
	var checks []checkResponse
	if verbose {
		checks = checkResponses(r.Checks)
	}
	if !r.Ready {
		return &notReadyError{detail: notReadyDetail(r.Checks), checks: checks}
	}
	return writeJSON(c, http.StatusOK, readyResponse{Status: "ready", Checks: checks})
}

// notReadyDetail names the first required check that fails, in its own safe words.
func notReadyDetail(checks []app.Check) string {
	for _, c := range checks {
		if c.Required && !c.OK {
			return "Not ready: " + c.Detail + "."
		}
	}
	return kindUnavailable.Detail
}

func checkResponses(checks []app.Check) []checkResponse {
	out := make([]checkResponse, len(checks))
	for i, c := range checks {
		out[i] = checkResponse{Name: c.Name, Status: "ok", Required: c.Required, Detail: c.Detail}
		if !c.OK {
			out[i].Status = "failing"
		}
	}
	return out
}

// notReadyError is a failed readiness check: a 503 problem whose detail says why and,
// when asked for, lists the checks.
type notReadyError struct {
	detail string
	checks []checkResponse
}

func (e *notReadyError) Error() string { return "httpapi: not ready: " + e.detail }

// Unwrap makes it a domain.ErrUnavailable, which is its status.
func (e *notReadyError) Unwrap() error { return domain.ErrUnavailable }

// readinessOf finds a failed readiness check in err.
func readinessOf(err error) (*notReadyError, bool) {
	var nr *notReadyError
	ok := errors.As(err, &nr)
	return nr, ok
}
