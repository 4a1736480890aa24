package httpapi

import (
	"encoding/json"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

const contentTypeJSON = echo.MIMEApplicationJSON

// writeJSON writes v as JSON; see writeBuilt.
func writeJSON(c echo.Context, status int, v any) error {
	return writeBuilt(c, status, func() any { return v })
}

// writeBuilt encodes the body build makes before writing anything, so an encoding
// failure still becomes a clean 500 problem instead of a truncated 200. It says how the
// answer's reads were served (Cache-Status) and keeps the answer for replay.
func writeBuilt(c echo.Context, status int, build func() any) error {
	report := domain.ReadReportFrom(c.Request().Context())
	if cs := cacheStatus(report); cs != "" {
		c.Response().Header().Set(headerCacheStatus, cs)
	}
	body, err := json.Marshal(build())
	if err != nil {
		return fmt.Errorf("httpapi: encode response: %w", err)
	}
	store, _ := c.Get(ctxKeyResponses).(ResponseStore)
	remember(c, store, report, status, body)
	return c.Blob(status, contentTypeJSON, body)
}
