package httpapi

import (
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

const (
	headerRequestID = echo.HeaderXRequestID
	maxRequestIDLen = 128
)

// requestID gives every request an id, echoed in X-Request-Id on every response (problem
// documents too), in problem bodies and in logs. A caller's id is kept when it is safe to
// log and echo; anything else is replaced rather than rejected, so tracing never costs a
// request.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(headerRequestID)
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		c.Response().Header().Set(headerRequestID, id)
		return next(c)
	}
}

// requestIDOf returns the id requestID gave c's request: the response header is where
// it lives (a context value would cost Echo a map per request).
func requestIDOf(c echo.Context) string {
	return c.Response().Header().Get(headerRequestID)
}

// validRequestID reports whether id is 1–128 characters of [A-Za-z0-9._:-].
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case b == '.', b == '_', b == ':', b == '-':
		default:
			return false
		}
	}
	return true
}
