package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

const contentTypeJSON = echo.MIMEApplicationJSON

// writeJSON encodes v before writing anything, so an encoding failure still becomes a
// clean 500 problem instead of a truncated answer.
func writeJSON(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("httpapi: encode response: %w", err)
	}
	return writeBlob(c, status, contentTypeJSON, body)
}

// writeAnswer writes a use case's 200 answer, built by build from what the use case
// returned: it says how the answer's reads were served (Cache-Status) and keeps the
// encoded answer for replay when its validity allows.
func (s *Server) writeAnswer(c echo.Context, validity domain.Validity, build func() any) error {
	if cs := cacheStatus(validity); cs != "" {
		c.Response().Header().Set(headerCacheStatus, cs)
	}
	body, err := json.Marshal(build())
	if err != nil {
		return fmt.Errorf("httpapi: encode response: %w", err)
	}
	s.remember(c, validity, body)
	return writeBlob(c, http.StatusOK, contentTypeJSON, body)
}

// writeBlob writes a body built whole in memory with its Content-Length. net/http would
// only compute one for a body that fits its 2 KiB buffer, and for a HEAD request (served
// on every GET route, docs/api.md §3), whose body it discards, this is how the answer
// still reports the length its GET has.
func writeBlob(c echo.Context, status int, contentType string, body []byte) error {
	setContentLength(c, len(body))
	return c.Blob(status, contentType, body)
}

// setContentLength declares the length of the body about to be written.
func setContentLength(c echo.Context, n int) {
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(n))
}
