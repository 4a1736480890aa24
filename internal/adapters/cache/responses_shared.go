package cache

import (
	"context"
	"time"
)

// share puts a remembered answer in the shared tier for as long as the process tier
// keeps it, so the other processes can replay it too.
func (s *Responses[R]) share(request string, rem *remembered[R], ttl time.Duration) {
	t := s.r.tier
	body, err := s.codec.Encode(rem.response)
	if err == nil {
		body, err = encodeAnswer(rem.versions, rem.until, body)
	}
	if err != nil {
		t.opts.Logger.Warn("shared cache: an answer not shared", "error", err.Error())
		return
	}
	t.set(context.Background(), replayKey(request), body, ttl)
}

// replayShared replays an answer another process remembered, under the rule Replay
// applies to its own: every value it was built from is fresh at the same version. The
// values this process lacks are read from the shared tier too (they are there for at
// least as long as the answer, unless evicted), then kept here with the answer, so the
// next repeat replays from this process alone.
func (s *Responses[R]) replayShared(request string) (R, bool) {
	var none R
	t, ctx := s.r.tier, context.Background()
	b, ok := t.get(ctx, replayKey(request))
	if !ok {
		return none, false
	}
	h, body, err := decodeAnswer(b)
	var response R
	if err == nil {
		response, err = s.codec.Decode(body)
	}
	if err != nil {
		t.opts.Logger.Warn("shared cache: an answer not understood, built again", "error", err.Error())
		return none, false
	}
	now := s.r.opts.Now()
	if !now.Before(h.Until) {
		return none, false
	}
	for _, v := range h.Versions {
		key := versionKey(v)
		if cur, ok := s.r.store.Get(key); ok && cur.version == v && now.Before(cur.freshUntil) {
			continue
		}
		vb, ok := t.get(ctx, key)
		if !ok {
			return none, false
		}
		e, cost, err := decodeStored(key, vb)
		if err != nil || e.version != v || !now.Before(e.freshUntil) || !s.r.keep(key, e, cost) {
			return none, false // gone, replaced or expired: the full path builds it afresh
		}
	}
	rem := &remembered[R]{response: response, versions: h.Versions, until: h.Until}
	if s.r.store.SetWithTTL(replayKey(request), &entry{value: rem}, int64(len(b)+len(request)+entryOverhead), h.Until.Sub(now)) {
		s.r.store.Wait() // the next repeat replays from here, without asking the tier
	}
	s.r.metrics.hits.Add(float64(len(h.Versions)))
	return response, true
}
