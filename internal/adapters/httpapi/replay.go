package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

// Replayable is a 200 answer kept for replay: everything a handler writes besides the
// headers every response gets on the way (request id) and the Cache-Status, which on
// replay is always a hit.
type Replayable struct {
	body []byte
	// route is the template of the route that answered, for the replay's metrics and
	// log line.
	route string
	// The header values it is sent with, built once when it is remembered: a replay
	// assigns them to the header map instead of allocating them per request.
	length, link []string
}

// Header values every replay sends, shared: net/http copies a handler's header when it
// writes it, and nothing here appends to a value in place.
var (
	replayedCacheStatus = []string{cacheName + "; hit"}
	replayedContentType = []string{contentTypeJSON}
)

// ResponseStore keeps encoded answers (the cache adapter's Responses provides one),
// each tied to the validity of the use case's answer it encodes, so a replayed answer
// can never disagree with what the cache holds.
type ResponseStore interface {
	// Remember keeps r as the answer to a raw request when validity allows reuse, while
	// every value it read stays the store's fresh value and within its clock bound.
	Remember(request string, validity domain.Validity, r *Replayable, cost int64)
	// Replay returns what Remember kept for request while that still holds.
	Replay(request string) (*Replayable, bool)
}

// CacheResponses makes the server replay answers kept in store; call it before
// serving. Parsing, copying cached values and encoding JSON would otherwise dominate
// the cost of a cached answer.
func (s *Server) CacheResponses(store ResponseStore) {
	s.responses = store
	s.direct = s.replaysDirectly()
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

// replayRemembered answers a repeated GET request with the answer remembered for it,
// when the store still vouches for every value it was built from. It is the whole cost
// of a cached answer: no parameter parsing, cache keys, copies or encoding. A HEAD
// request replays the GET's answer too (the key is the request line's target, not its
// method; net/http discards the body), but never has its own remembered.
func (s *Server) replayRemembered(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// Only /api/* answers are ever remembered: probes and scrapes skip the lookup,
		// which with a shared cache would be a Redis round trip each.
		// Served directly, a remembered answer never reaches Echo: what does found none.
		if m := c.Request().Method; s.responses == nil || s.direct || (m != http.MethodGet && m != http.MethodHead) || !isAPI(c) {
			return next(c)
		}
		r, ok := s.responses.Replay(replayKey(c.Request()))
		if !ok {
			return next(c)
		}
		res := c.Response()
		r.setHeaders(res.Header())
		res.WriteHeader(http.StatusOK)
		_, err := res.Write(r.body)
		return err
	}
}

// setHeaders gives a replay the headers its answer was sent with; the request id is
// already there.
func (r *Replayable) setHeaders(h http.Header) {
	h[headerCacheStatus] = replayedCacheStatus
	h[echo.HeaderContentType] = replayedContentType
	h[echo.HeaderContentLength] = r.length
	if r.link != nil {
		h[headerLink] = r.link
	}
}

// remember offers a GET request's 200 answer to the store, which keeps it when its
// validity allows (every value read through the cache, none stale, within its bound).
// A HEAD request never remembers, though it may replay: the store only ever holds
// answers a GET sent.
func (s *Server) remember(c echo.Context, validity domain.Validity, body []byte) {
	if s.responses == nil || c.Request().Method != http.MethodGet {
		return
	}
	r := &Replayable{body: body, route: s.routeOf(c), length: []string{strconv.Itoa(len(body))}}
	link := c.Response().Header().Get(headerLink)
	if link != "" {
		r.link = []string{link}
	}
	s.responses.Remember(replayKey(c.Request()), validity, r, int64(len(body)+len(link)+replayOverhead))
}
