package httpapi

import (
	"github.com/contextapi/contextapi/internal/domain"
)

const (
	headerCacheStatus = "Cache-Status"
	cacheName         = "contextapi"
)

// cacheStatus renders how an answer's reads were served as an RFC 9211 Cache-Status
// value, or "" when none went through a cache.
func cacheStatus(validity domain.Validity) string {
	source, ok := validity.Source()
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
