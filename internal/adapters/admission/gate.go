package admission

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// gate is a counting semaphore with a bounded FIFO queue. It is not a channel: the
// queue's length is checked and changed under the same lock as the slots, so the bound
// on waiters is exact, waiters are admitted strictly in arrival order, and the gauges
// never disagree with the state they describe.
type gate struct {
	size       int
	maxWaiting int
	timeout    time.Duration
	metrics    *metrics

	mu      sync.Mutex
	free    int
	waiters list.List // of chan struct{}, closed when the waiter is handed a slot
}

func newGate(size, maxWaiting int, timeout time.Duration, m *metrics) *gate {
	return &gate{size: size, maxWaiting: maxWaiting, timeout: timeout, metrics: m, free: size}
}

// enter takes a slot, waiting in line when none is free. It fails with ErrOverloaded
// when the line is full or the wait exceeds the timeout, and with ctx's error when ctx
// ends first. Every nil return must be matched by one leave.
func (g *gate) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // the caller has left: taking a slot would only delay others
	}
	g.mu.Lock()
	if g.free > 0 { // free slots imply an empty line: leave hands slots to waiters first
		g.free--
		g.metrics.inFlight.Inc()
		g.mu.Unlock()
		return nil
	}
	if g.waiters.Len() >= g.maxWaiting {
		g.mu.Unlock()
		g.metrics.refused.Inc()
		return fmt.Errorf("admission: %d queries under way, %d waiting: %w", g.size, g.maxWaiting, domain.ErrOverloaded)
	}
	ready := make(chan struct{})
	place := g.waiters.PushBack(ready)
	g.metrics.waiting.Inc()
	g.mu.Unlock()

	timer := time.NewTimer(g.timeout)
	defer timer.Stop()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
	case <-timer.C:
	}

	g.mu.Lock()
	select {
	case <-ready:
		// leave handed this waiter a slot just as it gave up.
		g.mu.Unlock()
		if ctx.Err() == nil {
			return nil // still wanted: run rather than refuse a read that got in
		}
		g.leave()
		return ctx.Err()
	default:
		g.waiters.Remove(place)
		g.metrics.waiting.Dec()
		g.mu.Unlock()
	}
	if err := ctx.Err(); err != nil {
		return err // the caller left (or its deadline came first): not a refusal
	}
	g.metrics.refused.Inc()
	return fmt.Errorf("admission: %d queries under way, waited %s: %w", g.size, g.timeout, domain.ErrOverloaded)
}

// leave gives a slot back: to the first waiter in line, else to the pool.
func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if first := g.waiters.Front(); first != nil {
		g.waiters.Remove(first)
		g.metrics.waiting.Dec()
		close(first.Value.(chan struct{})) // the slot passes on: in flight is unchanged
		return
	}
	g.free++
	g.metrics.inFlight.Dec()
}
