package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

// replayable is a 200 answer kept for replay: everything a handler writes besides the
// headers every response gets on the way (request id) and the Cache-Status, which on
// replay is always a hit.
type replayable struct {
	body []byte
	link string
}

const replayOverhead = 64

// replayKey names a GET request by its raw request line, so a repeat is recognised
// before any parsing; other spellings of the same query just take the full path.
func replayKey(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// replay answers a GET request with the response remembered for it, when the store
// still vouches for every value it was built from, and says whether it did. It is the
// whole cost of a cached answer: no parameter parsing, cache keys, copies or encoding.
func replay(c echo.Context, store ResponseStore) (bool, error) {
	if store == nil || c.Request().Method != http.MethodGet {
		return false, nil
	}
	v, ok := store.Replay(replayKey(c.Request()))
	if !ok {
		return false, nil
	}
	r, ok := v.(*replayable)
	if !ok {
		return false, nil // not one of ours: answer the long way
	}
	h := c.Response().Header()
	h.Set(headerCacheStatus, cacheName+"; hit")
	if r.link != "" {
		h.Set(headerLink, r.link)
	}
	return true, c.Blob(http.StatusOK, contentTypeJSON, r.body)
}

// remember keeps a 200 answer to a GET request for replay, when every value it was
// built from came through the cache, fresh or freshly loaded.
func remember(c echo.Context, store ResponseStore, report *domain.ReadReport, status int, body []byte) {
	if store == nil || status != http.StatusOK || c.Request().Method != http.MethodGet {
		return
	}
	if source, ok := report.Summary(); !ok || source == domain.ReadStale {
		return
	}
	versions, ok := report.VersionList()
	if !ok {
		return
	}
	expiresIn, bounded := report.Expiry()
	if bounded && expiresIn <= 0 {
		return
	}
	r := &replayable{body: body, link: c.Response().Header().Get(headerLink)}
	store.Remember(replayKey(c.Request()), versions, expiresIn, r, int64(len(body)+len(r.link)+replayOverhead))
}
