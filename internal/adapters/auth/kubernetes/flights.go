package kubernetes

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// flight is one decision shared by every caller that asked about the same token
// meanwhile.
type flight struct {
	done    chan struct{}
	dec     decision
	waiters int
	cancel  context.CancelFunc
}

// flights coalesces concurrent decisions about one token, as the cache adapter's group
// does its loads: the reviews run under a context of their own, bounded by timeout and
// cancelled only when every caller waiting has gone, so the first caller leaving fails
// nobody else.
type flights struct {
	timeout time.Duration

	mu    sync.Mutex
	calls map[tokenKey]*flight
}

func newFlights(timeout time.Duration) *flights {
	return &flights{timeout: timeout, calls: map[tokenKey]*flight{}}
}

// do returns decide's decision for key, deciding once for concurrent callers. Its error
// is the caller's context's, when the caller leaves before the decision.
func (g *flights) do(ctx context.Context, key tokenKey, decide func(context.Context) decision) (decision, error) {
	g.mu.Lock()
	if f, ok := g.calls[key]; ok {
		f.waiters++
		g.mu.Unlock()
		return g.wait(ctx, key, f)
	}
	// The reviews keep the caller's values (request id), not its cancellation.
	reviewCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.timeout)
	f := &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
	g.calls[key] = f
	g.mu.Unlock()

	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				f.dec = decision{err: fmt.Errorf("kubernetes: review panicked: %v: %w", p, domain.ErrUnavailable)}
			}
			g.mu.Lock()
			if g.calls[key] == f {
				delete(g.calls, key)
			}
			g.mu.Unlock()
			close(f.done)
		}()
		f.dec = decide(reviewCtx)
	}()
	return g.wait(ctx, key, f)
}

func (g *flights) wait(ctx context.Context, key tokenKey, f *flight) (decision, error) {
	select {
	case <-f.done:
		return f.dec, nil
	case <-ctx.Done():
		g.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel() // nobody wants the answer any more: stop the reviews
			if g.calls[key] == f {
				delete(g.calls, key)
			}
		}
		g.mu.Unlock()
		return decision{}, ctx.Err()
	}
}
