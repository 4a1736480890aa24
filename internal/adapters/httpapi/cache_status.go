package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

// ResponseStore keeps encoded responses built from cached values (the cache adapter
// provides one). Keys are a request and the versions of the values its answer was
// built from, so stored bytes can never disagree with the values.
type ResponseStore interface {
	Get(request, versions string) ([]byte, bool)
	Set(request, versions string, body []byte)
}

// CacheResponses makes the server reuse encoded answers through store; call it before
// serving. Encoding JSON would otherwise dominate the cost of a cached answer.
func (s *Server) CacheResponses(store ResponseStore) { s.responses = store }

const (
	headerCacheStatus = "Cache-Status"
	cacheName         = "contextapi"
	ctxKeyResponses   = "contextapi.responses"
)

// trackReads gives each request a report of how its repository reads were answered.
func (s *Server) trackReads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
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

// cachedBody returns the stored encoding of this GET request's answer, when every
// value it read came from the cache and that encoding is still stored.
func cachedBody(c echo.Context, report *domain.ReadReport) (store ResponseStore, request, versions string, body []byte, ok bool) {
	store, _ = c.Get(ctxKeyResponses).(ResponseStore)
	if store == nil || c.Request().Method != http.MethodGet {
		return nil, "", "", nil, false
	}
	versions, ok = report.Versions()
	if !ok {
		return nil, "", "", nil, false
	}
	request = c.Request().URL.RequestURI()
	body, ok = store.Get(request, versions)
	return store, request, versions, body, ok
}
