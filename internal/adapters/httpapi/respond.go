package httpapi

import (
	"encoding/json"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

const contentTypeJSON = echo.MIMEApplicationJSON

// writeJSON encodes v before writing anything, so an encoding failure still becomes a
// clean 500 problem instead of a truncated 200. It says how the answer's reads were
// served (Cache-Status) and, when every value came from the cache, reuses the bytes
// encoded from those same values.
func writeJSON(c echo.Context, status int, v any) error {
	report := domain.ReadReportFrom(c.Request().Context())
	if cs := cacheStatus(report); cs != "" {
		c.Response().Header().Set(headerCacheStatus, cs)
	}
	store, request, versions, body, ok := cachedBody(c, report)
	if ok {
		return c.Blob(status, contentTypeJSON, body)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("httpapi: encode response: %w", err)
	}
	if store != nil && versions != "" {
		store.Set(request, versions, body)
	}
	return c.Blob(status, contentTypeJSON, body)
}
