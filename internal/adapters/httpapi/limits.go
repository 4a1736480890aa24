package httpapi

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

const (
	headerRateLimitPolicy = "RateLimit-Policy"
	headerRateLimit       = "RateLimit"
)

// RateLimiter spends a request from a caller's budget (a token bucket per key). The
// root adapts the ratelimit adapter to it.
type RateLimiter interface {
	// Allow takes one request from key's budget.
	Allow(key string) RateDecision
	// Policy is the RateLimit-Policy header value (draft-ietf-httpapi-ratelimit-headers).
	Policy() string
}

// RateDecision is what one request's rate check decided.
type RateDecision struct {
	Allowed bool
	// RetryAfter is how long until the refused caller has budget again.
	RetryAfter time.Duration
	// Header is the RateLimit header value: what remains and when the budget refills.
	Header string
}

// errRateLimited refuses a request over its caller's budget.
var errRateLimited = errors.New("httpapi: over the caller's rate limit")

// rateLimitAPI applies the per-caller rate limit to every /api/* request, replayed
// answers included (they still cost a request). The caller is the principal, or the
// connection's peer address without authentication: never a client-supplied header.
func (s *Server) rateLimitAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isAPI(c) {
			return next(c)
		}
		key := principalOf(c)
		if key == "" {
			key = "peer:" + peerAddress(c.Request())
		}
		if err := s.spendBudget(c, key); err != nil {
			return err
		}
		return next(c)
	}
}

// spendBudget takes one request from key's budget, setting the RateLimit headers, and
// returns errRateLimited when the budget is spent.
func (s *Server) spendBudget(c echo.Context, key string) error {
	d := s.cfg.RateLimiter.Allow(key)
	h := c.Response().Header()
	h.Set(headerRateLimitPolicy, s.cfg.RateLimiter.Policy())
	h.Set(headerRateLimit, d.Header)
	if d.Allowed {
		return nil
	}
	s.shed.WithLabelValues(shedRateLimit).Inc()
	c.Set(ctxKeyRetryAfter, retryAfterHeader(d.RetryAfter))
	return errRateLimited
}

// retryAfterHeader renders a wait in whole seconds, rounded up and at least 1.
func retryAfterHeader(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// isAPI reports whether the request is one of the guarded requests: /api/* and the MCP
// endpoint, which reads the same data through the same use cases.
func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, apiPrefix) || p == mcpPath
}
