package cache

import "time"

// Responses keeps answers built from cached values, under the same memory budget, so
// a repeated request costs close to serving static bytes. Each answer is tied to the
// versions of the values it was built from (domain.ReadReport), so it can never
// outlive or contradict them.
type Responses struct {
	r *Repository
}

// Responses returns the response store sharing this cache.
func (r *Repository) Responses() *Responses { return &Responses{r: r} }

// remembered is a response kept for replay: whatever the HTTP layer needs to answer
// again, the versions of the values it was built from, and a clock bound.
type remembered struct {
	response any
	versions []string
	until    time.Time
}

// Remember keeps response as the answer to request (a GET request's raw target, as
// the caller names it) for as long as every value in versions stays the cache's
// fresh value, and at most expiresIn from now when expiresIn > 0 (answers computed
// from the clock). The response is never modified after this call, by contract.
func (s *Responses) Remember(request string, versions []string, expiresIn time.Duration, response any, cost int64) {
	if len(versions) == 0 {
		return
	}
	ttl := s.r.opts.TTL
	if expiresIn > 0 {
		ttl = min(ttl, expiresIn)
	}
	e := &remembered{response: response, versions: versions, until: s.r.opts.Now().Add(ttl)}
	s.r.store.SetWithTTL(replayKey(request), &entry{value: e}, cost+int64(len(request)+entryOverhead), ttl)
}

// Replay returns the response remembered for request while it is still exactly what
// the full path would build: every value it came from is still stored, at the same
// version, and fresh. Each such value counts as a cache hit, as it would on that path.
func (s *Responses) Replay(request string) (any, bool) {
	e, ok := s.r.store.Get(replayKey(request))
	if !ok {
		return nil, false
	}
	rem := e.value.(*remembered)
	now := s.r.opts.Now()
	if !now.Before(rem.until) {
		return nil, false
	}
	for _, v := range rem.versions {
		cur, ok := s.r.store.Get(versionKey(v))
		if !ok || cur.version != v || !now.Before(cur.freshUntil) {
			return nil, false
		}
	}
	s.r.metrics.hits.Add(float64(len(rem.versions)))
	return rem.response, true
}
