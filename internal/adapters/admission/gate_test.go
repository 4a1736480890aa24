package admission

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
)

// TestTheGateLosesNoSlotUnderChurn races admissions against timeouts and cancellations,
// so that slots are handed to waiters just as they give up; afterwards every slot must be
// free again and no waiter left in line.
func TestTheGateLosesNoSlotUnderChurn(t *testing.T) {
	const size = 2
	g := newGate(size, 8, 50*time.Microsecond, newMetrics(nil))
	var holding, peak atomic.Int64
	var wg sync.WaitGroup
	for i := range 1000 {
		wg.Go(func() {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if i%3 == 0 {
				go cancel() // some callers leave while waiting
			}
			if g.enter(ctx) != nil {
				return
			}
			n := holding.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(20 * time.Microsecond) // hold the slot long enough for others to queue
			holding.Add(-1)
			g.leave()
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, peak.Load(), int64(size))
	assert.Equal(t, size, g.free)
	assert.Zero(t, g.waiters.Len())
	assert.Zero(t, testutil.ToFloat64(g.metrics.inFlight))
	assert.Zero(t, testutil.ToFloat64(g.metrics.waiting))
}
