// Package flight coalesces concurrent work on one key: the cache's loads of a value and
// the Kubernetes authenticator's reviews of a token. Unlike x/sync/singleflight, the
// work runs under a context of its own, bounded by a timeout and cancelled only when
// every caller waiting on it has gone, so the first caller leaving fails nobody else.
package flight

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrPanicked marks the error of work that panicked; the panic value is in its text.
var ErrPanicked = errors.New("flight: the work panicked")

// call is one piece of work shared by every caller that asked for its key meanwhile.
type call[V any] struct {
	done    chan struct{}
	val     V
	err     error
	waiters int
	cancel  context.CancelFunc
}

// Group coalesces concurrent work per key. The zero value is not usable; see New.
type Group[K comparable, V any] struct {
	timeout time.Duration
	shared  func() // called for each caller that joins work already under way

	mu    sync.Mutex
	calls map[K]*call[V]
}

// New returns a group whose work runs for at most timeout. shared, when not nil, is
// called for every caller that joins work already under way (a metric).
func New[K comparable, V any](timeout time.Duration, shared func()) *Group[K, V] {
	return &Group[K, V]{timeout: timeout, shared: shared, calls: map[K]*call[V]{}}
}

// Do returns the result of work for key, running it once for concurrent callers. A
// caller that leaves first gets its context's error; the work goes on for the others.
func (g *Group[K, V]) Do(ctx context.Context, key K, work func(context.Context) (V, error)) (V, error) {
	g.mu.Lock()
	if c, ok := g.calls[key]; ok {
		c.waiters++
		g.mu.Unlock()
		if g.shared != nil {
			g.shared()
		}
		return g.wait(ctx, key, c)
	}
	// The work keeps the caller's values (request id, trace), not its cancellation.
	workCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.timeout)
	c := &call[V]{done: make(chan struct{}), waiters: 1, cancel: cancel}
	g.calls[key] = c
	g.mu.Unlock()

	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				c.err = fmt.Errorf("%w: %v", ErrPanicked, p)
			}
			g.mu.Lock()
			if g.calls[key] == c {
				delete(g.calls, key)
			}
			g.mu.Unlock()
			close(c.done)
		}()
		c.val, c.err = work(workCtx)
	}()
	return g.wait(ctx, key, c)
}

func (g *Group[K, V]) wait(ctx context.Context, key K, c *call[V]) (V, error) {
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		g.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			c.cancel() // nobody wants the result any more: stop the work
			if g.calls[key] == c {
				delete(g.calls, key)
			}
		}
		g.mu.Unlock()
		var zero V
		return zero, ctx.Err()
	}
}

// Waiters is how many callers wait on key's work now (tests and diagnostics).
func (g *Group[K, V]) Waiters(key K) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.calls[key]; ok {
		return c.waiters
	}
	return 0
}

// Timeout is how long the group's work may run.
func (g *Group[K, V]) Timeout() time.Duration { return g.timeout }
