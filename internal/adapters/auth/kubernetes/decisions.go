package kubernetes

import (
	"container/list"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// tokenKey names a token in memory without holding it.
type tokenKey [sha256.Size]byte

// decision is what the reviews made of one token: a principal, or why not.
type decision struct {
	principal domain.Principal
	err       error
}

// cached is a decision kept until expires.
type cached struct {
	key     tokenKey
	dec     decision
	expires time.Time
}

// decisions keeps recent decisions, at most max of them, dropping the least recently
// used first. Allowed and denied decisions live for their own TTL; "unavailable" ones
// are not kept, so the next request asks again.
type decisions struct {
	now                   func() time.Time
	allowedTTL, deniedTTL time.Duration
	max                   int

	mu    sync.Mutex
	order *list.List // of *cached, most recently used first
	index map[tokenKey]*list.Element
}

func newDecisions(now func() time.Time, allowedTTL, deniedTTL time.Duration, maxEntries int) *decisions {
	return &decisions{now: now, allowedTTL: allowedTTL, deniedTTL: deniedTTL, max: maxEntries,
		order: list.New(), index: map[tokenKey]*list.Element{}}
}

// get returns the decision kept for key, if it has not expired.
func (d *decisions) get(key tokenKey) (decision, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	el, ok := d.index[key]
	if !ok {
		return decision{}, false
	}
	c := el.Value.(*cached)
	if !d.now().Before(c.expires) {
		d.order.Remove(el)
		delete(d.index, key)
		return decision{}, false
	}
	d.order.MoveToFront(el)
	return c.dec, true
}

// put keeps dec for its TTL, if it is a decision worth keeping.
func (d *decisions) put(key tokenKey, dec decision) {
	ttl := d.ttl(dec.err)
	if ttl <= 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := &cached{key: key, dec: dec, expires: d.now().Add(ttl)}
	if el, ok := d.index[key]; ok {
		el.Value = c
		d.order.MoveToFront(el)
		return
	}
	d.index[key] = d.order.PushFront(c)
	for d.order.Len() > d.max {
		oldest := d.order.Back()
		d.order.Remove(oldest)
		delete(d.index, oldest.Value.(*cached).key)
	}
}

// ttl is how long a decision with err may be reused: none for anything but a clear
// yes or no, an outage least of all.
func (d *decisions) ttl(err error) time.Duration {
	switch {
	case err == nil:
		return d.allowedTTL
	case errors.Is(err, domain.ErrUnauthenticated), errors.Is(err, domain.ErrForbidden):
		return d.deniedTTL
	default: // domain.ErrUnavailable, or anything unforeseen
		return 0
	}
}
