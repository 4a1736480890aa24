package httpapi

import (
	"net/url"

	"github.com/labstack/echo/v4"
)

const (
	paramID     = "id"
	paramCursor = "cursor"
	paramOffset = "offset"
	headerLink  = "Link"
)

// listIncidents serves GET /api/v1/incidents and its alias /api/v1/context/query.
func (s *Server) listIncidents(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	res, validity, err := s.svc.ListIncidents(c.Request().Context(), p)
	if err != nil {
		return err
	}
	if res.NextCursor != "" {
		c.Response().Header().Set(headerLink, nextLink(c.Request().URL, url.Values(p), res.NextCursor))
	}
	return s.writeAnswer(c, validity, func() any { return newIncidentListResponse(res) })
}

// nextLink is the RFC 8288 link to the next page: the same filters and limit, with the
// cursor in place of any offset (the two cannot be combined).
func nextLink(u *url.URL, q url.Values, cursor string) string {
	next := url.Values{}
	for k, v := range q {
		next[k] = v
	}
	next.Del(paramOffset)
	next.Set(paramCursor, cursor)
	return "<" + u.EscapedPath() + "?" + next.Encode() + `>; rel="next"`
}

// getIncident serves GET /api/v1/incidents/:id.
func (s *Server) getIncident(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	e, validity, err := s.svc.GetIncident(c.Request().Context(), c.Param(paramID), p)
	if err != nil {
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newIncidentResponse(e) })
}

// similarIncidents serves GET /api/v1/incidents/:id/similar.
func (s *Server) similarIncidents(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	res, validity, err := s.svc.SimilarIncidents(c.Request().Context(), c.Param(paramID), p)
	if err != nil {
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newSimilarListResponse(res) })
}
