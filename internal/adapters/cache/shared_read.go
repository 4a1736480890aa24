package cache

import (
	"context"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// Where a loaded entry came from, when not from the repository (entry.origin).
const (
	originRepository = iota
	originShared     // fresh in the shared tier
	originStale      // stale in the shared tier, served because the repository is unavailable
)

// Lease polling: a waiting process looks for the holder's value this often, doubling
// up to the maximum (most loads take a few milliseconds).
const (
	pollFirst = 2 * time.Millisecond
	pollMax   = 16 * time.Millisecond
)

// leaseKey names the fleet-wide lease on loading key.
func leaseKey(key string) string { return "lease:" + key }

// load is a miss's work in the flight group: without a shared tier, a load from the
// repository; with one, the tier's entry if another process stored it, else a load by
// whichever process holds the fleet's lease on the key. The others wait for its value
// up to LeaseWait, then load it themselves: a slow or dead holder delays them by that
// bound at most. Whatever is loaded goes into both tiers.
func load[T any](ctx context.Context, r *Repository, key string, next func(context.Context) (T, domain.Read, error),
	cost func(T) int64) (*entry, error) {
	t := r.tier
	if t == nil {
		return loadNext(ctx, r, key, next, cost)
	}
	fresh, stale := fromShared(ctx, r, key, cost)
	if fresh != nil {
		return fresh, nil
	}
	token := t.token()
	held, waited := false, false
	deadline, poll := time.Now().Add(t.opts.LeaseWait), pollFirst
	for {
		var got bool
		if !t.do(ctx, func(ctx context.Context) (err error) {
			got, err = t.s.Acquire(ctx, leaseKey(key), token, t.leaseTTL)
			return err
		}) {
			break // the tier is down: load here, as without it
		}
		if got {
			held = true
			if !waited {
				break
			}
			// The holder may have stored its value and left just now.
			if e, _ := fromShared(ctx, r, key, cost); e != nil {
				t.release(ctx, key, token)
				t.waitServed.Inc()
				return e, nil
			}
			t.waitLoad.Inc() // the holder left without a value (its load failed)
			break
		}
		if waited { // the first look was just above
			if e, _ := fromShared(ctx, r, key, cost); e != nil {
				t.waitServed.Inc()
				return e, nil
			}
		}
		waited = true
		if !time.Now().Add(poll).Before(deadline) {
			t.waitTimeout.Inc()
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
		poll = min(2*poll, pollMax)
	}
	if held {
		// After the value is stored, so that waiters polling find it rather than the lease.
		defer t.release(ctx, key, token)
	}
	e, err := loadNext(ctx, r, key, next, cost)
	if err != nil {
		if stale != nil && outage(err) && r.opts.Now().Before(stale.staleUntil) {
			served := *stale
			served.origin = originStale
			return &served, nil
		}
		return nil, err
	}
	if b, err := encodeEntry[T](e); err == nil {
		t.set(ctx, key, b, e.staleUntil.Sub(r.opts.Now()))
	} else {
		t.opts.Logger.Warn("shared cache: a value not shared", "error", err.Error())
	}
	return e, nil
}

// release gives key's lease back, even when the caller has gone.
func (t *tier) release(ctx context.Context, key, token string) {
	t.do(context.WithoutCancel(ctx), func(ctx context.Context) error { return t.s.Release(ctx, leaseKey(key), token) })
}

// loadNext loads from the repository into the process tier.
func loadNext[T any](ctx context.Context, r *Repository, key string, next func(context.Context) (T, domain.Read, error),
	cost func(T) int64) (*entry, error) {
	v, loaded, err := next(ctx)
	if err != nil {
		return nil, err
	}
	return r.storeLoaded(key, v, cost(v), loaded.AsOf), nil
}

// fromShared reads key's entry from the shared tier into the process tier, with its
// version and deadlines unchanged, and returns it marked as fresh or stale (or neither,
// when the tier has none usable).
func fromShared[T any](ctx context.Context, r *Repository, key string, cost func(T) int64) (fresh, stale *entry) {
	b, ok := r.tier.get(ctx, key)
	if !ok {
		return nil, nil
	}
	e, c, err := decodeEntry(b, cost)
	if err != nil {
		r.tier.opts.Logger.Warn("shared cache: an entry not understood, read from the database instead", "key", key, "error", err.Error())
		return nil, nil
	}
	if !r.keep(key, e, c) {
		return nil, nil
	}
	if r.opts.Now().Before(e.freshUntil) {
		served := *e
		served.origin = originShared
		return &served, nil
	}
	return nil, e
}

// keep stores an entry read from the shared tier in the process tier until its own
// stale deadline; false when that has passed.
func (r *Repository) keep(key string, e *entry, cost int64) bool {
	ttl := e.staleUntil.Sub(r.opts.Now())
	if ttl <= 0 {
		return false
	}
	if r.store.SetWithTTL(key, e, cost, ttl) {
		r.store.Wait() // callers arriving after this one find it here
	}
	return true
}
