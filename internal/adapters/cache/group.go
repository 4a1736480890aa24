package cache

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// call is one load shared by every caller that asked for the same key meanwhile.
type call struct {
	done    chan struct{}
	val     *entry
	err     error
	waiters int
	cancel  context.CancelFunc
}

// group coalesces concurrent loads of one key. Unlike x/sync/singleflight, the load
// runs under a context of its own that is cancelled only when every caller waiting on
// it has gone: the first caller leaving does not fail the others.
type group struct {
	mu      sync.Mutex
	calls   map[string]*call
	timeout time.Duration
	shared  func() // counts callers that joined a load already under way
}

func newGroup(timeout time.Duration, shared func()) *group {
	return &group{calls: map[string]*call{}, timeout: timeout, shared: shared}
}

// do returns the result of load for key, running it once for concurrent callers.
func (g *group) do(ctx context.Context, key string, load func(context.Context) (*entry, error)) (*entry, error) {
	g.mu.Lock()
	if c, ok := g.calls[key]; ok {
		c.waiters++
		g.mu.Unlock()
		g.shared()
		return g.wait(ctx, key, c)
	}
	// The load keeps the caller's values (request id, metric labels), not its deadline.
	loadCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.timeout)
	c := &call{done: make(chan struct{}), waiters: 1, cancel: cancel}
	g.calls[key] = c
	g.mu.Unlock()

	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				c.err = fmt.Errorf("cache: load %s panicked: %v", key, p)
			}
			g.mu.Lock()
			if g.calls[key] == c {
				delete(g.calls, key)
			}
			g.mu.Unlock()
			close(c.done)
		}()
		c.val, c.err = load(loadCtx)
	}()
	return g.wait(ctx, key, c)
}

func (g *group) wait(ctx context.Context, key string, c *call) (*entry, error) {
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		g.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			c.cancel() // nobody wants the answer any more: stop the statement
			if g.calls[key] == c {
				delete(g.calls, key)
			}
		}
		g.mu.Unlock()
		return nil, ctx.Err()
	}
}
