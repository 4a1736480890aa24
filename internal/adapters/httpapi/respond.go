package httpapi

import (
	"encoding/json"
	"fmt"

	"github.com/labstack/echo/v4"
)

const contentTypeJSON = echo.MIMEApplicationJSON

// writeJSON encodes v before writing anything, so an encoding failure still becomes a
// clean 500 problem instead of a truncated 200.
func writeJSON(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("httpapi: encode response: %w", err)
	}
	return c.Blob(status, contentTypeJSON, body)
}
