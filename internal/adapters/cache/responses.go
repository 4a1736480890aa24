package cache

// Responses keeps encoded responses built from cached values, under the same memory
// budget, so a cached answer costs close to serving static bytes. A response is keyed
// by its canonical request and the versions of the values it was built from
// (domain.ReadReport), so it can never outlive or contradict them.
type Responses struct {
	r *Repository
}

// Responses returns the encoded-response store sharing this cache.
func (r *Repository) Responses() *Responses { return &Responses{r: r} }

// Get returns the response encoded for request from exactly these value versions.
func (s *Responses) Get(request, versions string) ([]byte, bool) {
	e, ok := s.r.store.Get(responseKey(request, versions))
	if !ok {
		return nil, false
	}
	return e.value.([]byte), true
}

// Set keeps body for request and versions as long as the values may answer. The
// bytes are never modified after this call, by contract with the caller.
func (s *Responses) Set(request, versions string, body []byte) {
	ttl := s.r.opts.TTL + s.r.opts.StaleWindow
	s.r.store.SetWithTTL(responseKey(request, versions), &entry{value: body}, int64(len(body)+len(request)+entryOverhead), ttl)
}
