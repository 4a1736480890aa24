package cache

import (
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// Responses keeps whole answers built from cached values (R is the caller's encoded
// answer, e.g. an HTTP body and headers), under the cache's memory budget, so a
// repeated request costs close to serving static bytes. Each answer is tied to the
// versions of the values it was built from, so it can never outlive or contradict them.
type Responses[R any] struct {
	r     *Repository
	codec Codec[R]
}

// NewResponses returns a response store sharing r's memory and clock, keeping answers
// in this process only.
func NewResponses[R any](r *Repository) *Responses[R] { return &Responses[R]{r: r} }

// NewSharedResponses is NewResponses whose answers also go to r's shared tier, if any,
// encoded by codec, so that the other processes replay them.
func NewSharedResponses[R any](r *Repository, codec Codec[R]) *Responses[R] {
	return &Responses[R]{r: r, codec: codec}
}

// shared reports whether answers go to the shared tier as well.
func (s *Responses[R]) shared() bool {
	return s.r.tier != nil && s.codec.Encode != nil && s.codec.Decode != nil
}

// remembered is an answer kept for replay with the versions of the values it was built
// from and its clock bound.
type remembered[R any] struct {
	response R
	versions []string
	until    time.Time
}

// Remember keeps response as the answer to request (a GET request's raw target, as
// the caller names it) when its validity allows reuse: for as long as every value it
// read stays the cache's fresh value at the same version, and no longer than its clock
// bound or the TTL. The response must not be modified after this call.
func (s *Responses[R]) Remember(request string, validity domain.Validity, response R, cost int64) {
	versions, maxAge, ok := validity.Reusable()
	if !ok {
		return
	}
	ttl := s.r.opts.TTL
	if maxAge > 0 {
		ttl = min(ttl, maxAge)
	}
	e := &remembered[R]{response: response, versions: versions, until: s.r.opts.Now().Add(ttl)}
	s.r.store.SetWithTTL(replayKey(request), &entry{value: e}, cost+int64(len(request)+entryOverhead), ttl)
	if s.shared() {
		s.share(request, e, ttl)
	}
}

// Replay returns the response remembered for request while it is still exactly what
// the full path would build: every value it came from is still stored, at the same
// version, and fresh. Each such value counts as a cache hit, as it would on that path.
func (s *Responses[R]) Replay(request string) (R, bool) {
	var none R
	e, ok := s.r.store.Get(replayKey(request))
	if !ok {
		if s.shared() {
			return s.replayShared(request)
		}
		return none, false
	}
	rem, ok := e.value.(*remembered[R])
	if !ok {
		return none, false // kept by a store of another answer type under the same key
	}
	now := s.r.opts.Now()
	if !now.Before(rem.until) {
		return none, false
	}
	for _, v := range rem.versions {
		cur, ok := s.r.store.Get(versionKey(v))
		if !ok || cur.version != v || !now.Before(cur.freshUntil) {
			return none, false
		}
	}
	s.r.metrics.hits.Add(float64(len(rem.versions)))
	return rem.response, true
}
