package cache

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// countingRepo wraps a real repository, counting the calls that reach it. It can hold
// every call at a gate, fail with a given error, and remember whether a call's context
// was cancelled while it ran.
type countingRepo struct {
	next ports.Repository

	lists, gets, searches, aggregates atomic.Int64

	mu        sync.Mutex
	gate      chan struct{} // nil: calls pass at once
	err       error
	cancelled atomic.Int64
}

func (c *countingRepo) setErr(err error) { c.mu.Lock(); c.err = err; c.mu.Unlock() }

// hold makes calls wait until release is called.
func (c *countingRepo) hold() (release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gate := make(chan struct{})
	c.gate = gate
	return func() {
		c.mu.Lock()
		c.gate = nil
		c.mu.Unlock()
		close(gate)
	}
}

func (c *countingRepo) pass(ctx context.Context) error {
	c.mu.Lock()
	gate, err := c.gate, c.err
	c.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			c.cancelled.Add(1)
			return ctx.Err()
		}
	}
	return err
}

func (c *countingRepo) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	c.lists.Add(1)
	if err := c.pass(ctx); err != nil {
		return domain.IncidentPage{}, domain.Read{}, err
	}
	return c.next.List(ctx, q)
}

func (c *countingRepo) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	c.gets.Add(1)
	if err := c.pass(ctx); err != nil {
		return domain.IncidentEvent{}, domain.Read{}, err
	}
	return c.next.Get(ctx, q)
}

func (c *countingRepo) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	c.searches.Add(1)
	if err := c.pass(ctx); err != nil {
		return nil, domain.Read{}, err
	}
	return c.next.Search(ctx, q)
}

func (c *countingRepo) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	c.aggregates.Add(1)
	if err := c.pass(ctx); err != nil {
		return nil, domain.Read{}, err
	}
	return c.next.Aggregate(ctx, q)
}

func (c *countingRepo) Ping(ctx context.Context) error { return c.pass(ctx) }
