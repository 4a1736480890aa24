package httpapi

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

// ResponseStore keeps answers built from cached values (the cache adapter provides
// one), each tied to the versions of the values it was built from, so a replayed answer
// can never disagree with what the cache holds.
type ResponseStore interface {
	// Remember keeps a response for a raw request while every value in versions stays
	// the store's fresh value, and for at most expiresIn when it is positive.
	Remember(request string, versions []string, expiresIn time.Duration, response any, cost int64)
	// Replay returns what Remember kept for request while that still holds.
	Replay(request string) (any, bool)
}

// CacheResponses makes the server replay answers kept in store; call it before
// serving. Parsing, copying cached values and encoding JSON would otherwise dominate
// the cost of a cached answer.
func (s *Server) CacheResponses(store ResponseStore) { s.responses = store }

const (
	headerCacheStatus = "Cache-Status"
	cacheName         = "contextapi"
	ctxKeyResponses   = "contextapi.responses"
)

// trackReads answers a repeated GET request from its remembered response when it can,
// and otherwise gives the request a report of how its repository reads were answered.
func (s *Server) trackReads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if done, err := replay(c, s.responses); done {
			return err
		}
		ctx, _ := domain.WithReadReport(c.Request().Context())
		c.SetRequest(c.Request().WithContext(ctx))
		if s.responses != nil {
			c.Set(ctxKeyResponses, s.responses)
		}
		return next(c)
	}
}

// cacheStatus renders the request's reads as an RFC 9211 Cache-Status value, or ""
// when the request read nothing through a cache.
func cacheStatus(report *domain.ReadReport) string {
	source, ok := report.Summary()
	if !ok {
		return ""
	}
	switch source {
	case domain.ReadHit:
		return cacheName + "; hit"
	case domain.ReadStale:
		return cacheName + "; hit; detail=stale"
	default:
		return cacheName + "; fwd=miss"
	}
}
