package httpapi

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

const paramRemediationRequestID = "remediation_request_id"

// remediationContext serves GET /api/v1/context/remediation/:remediation_request_id.
func (s *Server) remediationContext(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	rrid, err := pathValue(c, paramRemediationRequestID)
	if err != nil {
		return err
	}
	res, validity, err := s.svc.RecoveryContext(c.Request().Context(), rrid, p)
	if err != nil {
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newRecoveryContextResponse(res) })
}

// historicalContext serves GET /api/v1/context/historical.
func (s *Server) historicalContext(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	res, validity, err := s.svc.HistoricalContext(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newHistoricalContextResponse(res) })
}

// pathValue returns a path parameter decoded. Echo routes on the escaped path when it
// holds escapes that decoding would lose (%2F), and then hands the parameter over still
// escaped; ids such as "a/b" must reach the app as the client meant them.
func pathValue(c echo.Context, name string) (string, error) {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v, nil
	}
	decoded, err := url.PathUnescape(v)
	if err != nil {
		ve := &domain.ValidationError{}
		ve.Add(name, "must be a valid percent-encoded path segment")
		return "", ve
	}
	return decoded, nil
}
