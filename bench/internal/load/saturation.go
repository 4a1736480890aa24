package load

import (
	"context"
	"time"
)

// Saturator keeps conns requests in flight against one contender for d, rotating
// through reqs: the closed loop whose figure is throughput.
type Saturator interface {
	Saturate(ctx context.Context, base string, reqs []Request, conns int, d time.Duration) (Result, error)
	Name() string // Wrk or Go
}

// GoClient saturates with the bench's own net/http client (ClosedLoop).
type GoClient struct{}

// Saturate runs ClosedLoop.
func (GoClient) Saturate(ctx context.Context, base string, reqs []Request, conns int, d time.Duration) (Result, error) {
	return ClosedLoop(ctx, base, reqs, conns, d), nil
}

// Name is Go.
func (GoClient) Name() string { return Go }

var (
	_ Saturator = GoClient{}
	_ Saturator = (*WrkRunner)(nil)
)
