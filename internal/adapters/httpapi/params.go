package httpapi

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// fieldQuery names the query string as a whole in a problem document.
const fieldQuery = "query"

// queryParams returns the request's query parameters for the app to validate. A query
// that does not parse (bad percent-encoding, a semicolon) is rejected whole: Echo's
// QueryParams, like net/url's URL.Query, silently drops such pairs, which would widen
// the query behind the client's back.
func queryParams(c echo.Context) (app.Params, error) {
	values, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		ve := &domain.ValidationError{}
		ve.Add(fieldQuery, "must be a valid URL query (application/x-www-form-urlencoded, percent-encoded, '&'-separated)")
		return nil, ve
	}
	return app.Params(values), nil
}
