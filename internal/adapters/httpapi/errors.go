package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	// Aliased: the package tests declare a problem type of their own.
	problems "github.com/contextapi/contextapi/internal/problem"
)

// retryAfterSeconds is what a 503 asks clients to wait: long enough for a database
// failover or a cache refill to make progress, short for an interactive caller. A request
// shed because too many queries are under way is asked back sooner: queries last
// milliseconds to seconds, so a slot frees quickly.
const (
	retryAfterSeconds         = 5
	overloadRetryAfterSeconds = 1
)

// echoKinds maps the statuses of Echo's own errors (router 404 and 405) and of those
// this package raises through Echo's sentinels (413, 415) to problems.
var echoKinds = map[int]problemKind{
	http.StatusBadRequest:            kindInvalidArgument,
	http.StatusNotFound:              kindNoRoute,
	http.StatusMethodNotAllowed:      kindMethodNotAllowed,
	http.StatusRequestEntityTooLarge: kindPayloadTooLarge,
	http.StatusUnsupportedMediaType:  kindUnsupportedMediaType,
	http.StatusServiceUnavailable:    kindUnavailable,
	http.StatusInternalServerError:   kindInternal,
}

// kindOf classifies err. Anything unrecognised is an internal error.
func kindOf(err error) problemKind {
	if errors.Is(err, errRateLimited) {
		return kindRateLimited
	}
	if k, ok := problems.Of(err); ok {
		return k
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if k, ok := echoKinds[he.Code]; ok {
			return k
		}
		return kindOfStatus(he.Code)
	}
	return kindInternal
}

// handleError is Echo's HTTPErrorHandler and this API's only way of answering an error:
// it writes the problem document of err and logs every 5xx once, with the request id.
// Details of 5xx stay generic: internal text (SQL, driver messages) goes to the log only.
func (s *Server) handleError(err error, c echo.Context) {
	k := kindOf(err)
	if errors.Is(context.Cause(c.Request().Context()), errShuttingDown) {
		k = kindShuttingDown // stopped at the end of the shutdown budget, not by the client
	}
	notReady, isReadiness := readinessOf(err)
	// A failed readiness probe is expected (start, shutdown, outages, each logged once
	// where it happens), and so is shedding under a flood; their request lines are
	// enough (an error line for each shed request would flood the log too).
	if k.Status >= http.StatusInternalServerError && !isReadiness && k != kindOverloaded {
		s.logError(c, k.Status, err)
	}
	res := c.Response()
	if res.Committed {
		return // part of a response is out; all that is left is the log line above
	}
	p := problemResponse{
		Type:      k.Type,
		Title:     k.Title,
		Status:    k.Status,
		Detail:    k.Detail,
		Instance:  c.Request().URL.EscapedPath(),
		RequestID: requestIDOf(c),
	}
	if k.Status == http.StatusBadRequest {
		p.Errors = fieldErrors(err)
		if fields := problems.FieldErrors(err); len(fields) > 0 {
			p.Detail = problems.ValidationDetail(fields)
		}
	}
	if isReadiness {
		p.Detail, p.Checks = notReady.detail, notReady.checks
	}
	switch {
	case k == kindOverloaded:
		s.shed.WithLabelValues(shedOverload).Inc()
		res.Header().Set(echo.HeaderRetryAfter, strconv.Itoa(overloadRetryAfterSeconds))
	case k.Status == http.StatusServiceUnavailable:
		res.Header().Set(echo.HeaderRetryAfter, strconv.Itoa(retryAfterSeconds))
	case k == kindRateLimited:
		if v, ok := c.Get(ctxKeyRetryAfter).(string); ok {
			res.Header().Set(echo.HeaderRetryAfter, v)
		}
	}
	body, mErr := json.Marshal(p)
	if mErr != nil { // only strings and ints: cannot happen, but never answer nothing
		body = []byte(`{"type":"urn:contextapi:problem:internal","status":500}`)
	}
	if wErr := writeBlob(c, k.Status, contentTypeProblem, body); wErr != nil {
		s.logger.DebugContext(c.Request().Context(), "write problem", slog.String("error", wErr.Error()))
	}
}

// fieldErrors lists the invalid fields err names, in the order the app found them.
func fieldErrors(err error) []fieldErrorResponse {
	fields := problems.FieldErrors(err)
	out := make([]fieldErrorResponse, 0, len(fields))
	for _, f := range fields {
		out = append(out, fieldErrorResponse{Field: f.Field, Reason: f.Reason})
	}
	return out
}

func (s *Server) logError(c echo.Context, status int, err error) {
	req := c.Request()
	attrs := []slog.Attr{
		slog.String("request_id", requestIDOf(c)),
		slog.String("method", req.Method),
		slog.String("route", s.routeOf(c)),
		slog.Int("status", status),
		slog.String("error", err.Error()),
	}
	var pe *panicError
	if errors.As(err, &pe) {
		attrs = append(attrs, slog.String("stack", string(pe.stack)))
	}
	level := slog.LevelError
	if status == http.StatusServiceUnavailable {
		level = slog.LevelWarn // expected during outages; the cause is elsewhere
	}
	s.logger.LogAttrs(req.Context(), level, "request failed", attrs...)
}
