package load

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// EachOnce sends every request of reqs exactly once, conns at a time, with the Go
// client: for answers that change with each request (a cache's first sight of a key,
// which ClosedLoop's cycling would turn into repeats).
func EachOnce(ctx context.Context, base string, reqs []Request, conns int) Result {
	var (
		mu   sync.Mutex
		out  = Result{Generator: Go}
		next atomic.Int64
		wg   sync.WaitGroup
	)
	start := time.Now()
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			errs := 0
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) {
					break
				}
				t0 := time.Now()
				if _, _, err := Send(ctx, base, reqs[i], false); err != nil {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			out.N += len(lat)
			out.Errors += errs
			out.Lat = append(out.Lat, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	out.Elapsed = time.Since(start)
	return out
}
