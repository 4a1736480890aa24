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
// answer's reads were served (Cache-Status) and, when every value came from the cache,
// reuses the bytes encoded from those same values without building the body at all.
func writeBuilt(c echo.Context, status int, build func() any) error {
	report := domain.ReadReportFrom(c.Request().Context())
	if cs := cacheStatus(report); cs != "" {
		c.Response().Header().Set(headerCacheStatus, cs)
	}
	store, request, versions, body, ok := cachedBody(c, report)
	if ok {
		return c.Blob(status, contentTypeJSON, body)
	}
	body, err := json.Marshal(build())
	if err != nil {
		return fmt.Errorf("httpapi: encode response: %w", err)
	}
	if store != nil && versions != "" {
		store.Set(request, versions, body)
	}
	return c.Blob(status, contentTypeJSON, body)
}
