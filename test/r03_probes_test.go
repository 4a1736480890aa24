package test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// What R3 watches the servers with: probes of their endpoints over HTTP, kept answer by
// answer, and the check that no goroutine outlives the test.

// serveHTTP serves s on a loopback port until the test ends, for clients that need a
// network: the load generator and the probes.
func serveHTTP(t *testing.T, s *stack) string {
	t.Helper()
	ts := httptest.NewServer(s.handler)
	t.Cleanup(ts.Close)
	return ts.URL
}

// checkNoGoroutineLeft notes the goroutines alive now and, once the test and every
// cleanup registered after this call have run, fails the test if one started since is
// still there: servers, pools, checkers, proxies and load must all have ended.
func checkNoGoroutineLeft(t *testing.T, rec *reliability.Record) {
	t.Helper()
	before := runtime.NumGoroutine()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		err := goleak.Find(ignore)
		for deadline := time.Now().Add(10 * time.Second); err != nil && time.Now().Before(deadline); {
			err = goleak.Find(ignore) // retries for about a second itself
		}
		rec.Figure("goroutines before/after", "%d/%d", before, runtime.NumGoroutine())
		assert.NoError(t, err, "no goroutine left behind")
	})
}

// probeSample is one probe's answer.
type probeSample struct {
	at     time.Time // when it was asked
	took   time.Duration
	status int // 0: no answer
	header http.Header
}

// probes GET paths every 50 ms, each on its own, keeping every answer, until their
// context ends.
type probes struct {
	ctx     context.Context
	client  *http.Client
	wg      sync.WaitGroup
	mu      sync.Mutex
	samples map[string][]probeSample
}

func newProbes(ctx context.Context) *probes {
	return &probes{ctx: ctx, client: &http.Client{Timeout: 10 * time.Second}, samples: map[string][]probeSample{}}
}

// add starts a probe named name asking base for path() each time.
func (p *probes) add(name, base string, path func() string) {
	p.wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			s := probeSample{at: time.Now()}
			req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, base+path(), nil)
			var res *http.Response
			if err == nil {
				res, err = p.client.Do(req)
			}
			if err == nil {
				_ = res.Body.Close()
				s.status, s.header = res.StatusCode, res.Header
			}
			s.took = time.Since(s.at)
			if p.ctx.Err() != nil {
				return // the answer may be the cancellation's
			}
			p.mu.Lock()
			p.samples[name] = append(p.samples[name], s)
			p.mu.Unlock()
			select {
			case <-p.ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
}

// wait waits for every probe to stop and returns their answers by name.
func (p *probes) wait() map[string][]probeSample {
	p.wg.Wait()
	p.client.CloseIdleConnections()
	return p.samples
}

// otherThan counts the answers whose status is not status.
func otherThan(samples []probeSample, status int) int {
	n := 0
	for _, s := range samples {
		if s.status != status {
			n++
		}
	}
	return n
}

// firstAnswerAfter is how long after t0 the first answer with status came, among the
// probes asked after t0.
func firstAnswerAfter(samples []probeSample, t0 time.Time, status int) (time.Duration, bool) {
	for _, s := range samples {
		if !s.at.Before(t0) && s.status == status {
			return s.at.Add(s.took).Sub(t0), true
		}
	}
	return 0, false
}

// settledAfter is how long after t0 the probes started answering status for good: the
// answer to the first of the unbroken run of status at their end, asked after t0.
func settledAfter(samples []probeSample, t0 time.Time, status int) (time.Duration, bool) {
	i := len(samples)
	for i > 0 && samples[i-1].status == status && !samples[i-1].at.Before(t0) {
		i--
	}
	if i == len(samples) {
		return 0, false
	}
	return samples[i].at.Add(samples[i].took).Sub(t0), true
}
