package httpapi

import (
	"github.com/labstack/echo/v4"
)

// successRate serves GET /api/v1/aggregations/success-rate.
func (s *Server) successRate(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	sr, validity, err := s.svc.SuccessRate(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newSuccessRateResponse(sr) })
}

// namespaces serves GET /api/v1/aggregations/namespaces.
func (s *Server) namespaces(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	groups, validity, err := s.svc.Namespaces(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newNamespacesResponse(groups) })
}

// severity serves GET /api/v1/aggregations/severity.
func (s *Server) severity(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	counts, validity, err := s.svc.Severity(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newSeverityResponse(counts) })
}

// trend serves GET /api/v1/aggregations/trend.
func (s *Server) trend(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	t, validity, err := s.svc.Trend(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newTrendResponse(t) })
}
