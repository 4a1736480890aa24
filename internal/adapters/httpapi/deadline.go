package httpapi

import (
	"context"

	"github.com/labstack/echo/v4"
)

// deadlineAPI gives every /api/* request that reaches the use cases a deadline of its
// own (Config.RequestTimeout): the database's statement timeout is enforced by the
// server, which a stalled network never lets answer, so the service needs its own.
func (s *Server) deadlineAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isAPI(c) {
			return next(c)
		}
		req := c.Request()
		ctx, cancel := context.WithTimeout(req.Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(req.WithContext(ctx))
		return next(c)
	}
}
