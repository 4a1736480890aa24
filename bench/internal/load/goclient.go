package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// The Go client: net/http over loopback keep-alive connections, in the bench process.
// It costs about as much per request as a contender serving a cached answer, so
// saturation uses wrk unless -generator go; fixed rate and one connection always use it
// (wrk cannot send at a fixed rate without coordinated omission).

const (
	maxSamples    = 400_000   // latency samples kept per phase
	maxRequests   = 5_000_000 // requests per phase, whatever the duration
	openLoopConns = 64        // connections of a fixed-rate phase
)

var (
	clientsMu sync.Mutex
	clients   = map[string]*http.Client{}
)

// Client returns the keep-alive client of a contender (one per base URL, so its
// connections stay warm between rounds).
func Client(base string) *http.Client {
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if c := clients[base]; c != nil {
		return c
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     2 * time.Minute,
		DisableCompression:  true,
	}
	c := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	clients[base] = c
	return c
}

// Send performs one request and reads the whole answer; a status other than 200 is a
// *StatusError. It returns the body when keep is set.
func Send(ctx context.Context, base string, r Request, keep bool) ([]byte, http.Header, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, base+r.URI, body)
	if err != nil {
		return nil, nil, err
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := Client(base).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var out []byte
	if keep || resp.StatusCode != http.StatusOK {
		out, err = io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err == nil && resp.StatusCode != http.StatusOK {
		err = &StatusError{Code: resp.StatusCode, Msg: fmt.Sprintf("%s %s: status %d: %.200s", r.Method, r.URI, resp.StatusCode, out)}
	}
	return out, resp.Header, err
}

// StatusError is an answer other than 200.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// SendPatiently is Send for the agreement check, which compares answers, not
// availability: a 503 (the service's "retry later", e.g. a statement timeout while the
// shared machine is saturated) is asked again, twice at most, a second apart; retried
// is how many retries it took.
func SendPatiently(ctx context.Context, base string, r Request) (body []byte, h http.Header, retried int, err error) {
	for {
		body, h, err = Send(ctx, base, r, true)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable || retried == 2 {
			return body, h, retried, err
		}
		retried++
		select {
		case <-ctx.Done():
			return body, h, retried, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// ClosedLoop keeps conns requests in flight for d with the Go client: throughput at
// saturation.
func ClosedLoop(ctx context.Context, base string, reqs []Request, conns int, d time.Duration) Result {
	ctx, cancel := context.WithTimeout(ctx, d+time.Minute)
	defer cancel()
	var (
		mu  sync.Mutex
		out = Result{Generator: Go}
		wg  sync.WaitGroup
	)
	perWorker := maxRequests / conns
	keep := maxSamples / conns
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, min(keep, 4096))
			n, errs := 0, 0
			for i := 0; i < perWorker && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				_, _, err := Send(ctx, base, reqs[(w*7+i)%len(reqs)], false)
				if err != nil {
					errs++
					continue
				}
				n++
				if len(lat) < keep {
					lat = append(lat, time.Since(t0))
				}
			}
			mu.Lock()
			out.N += n
			out.Errors += errs
			out.Lat = append(out.Lat, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Elapsed = time.Since(start)
	return out
}

// OpenLoop sends requests at a fixed rate for d, whether or not earlier ones have
// finished; latency counts from each request's scheduled time, so a stalled server
// is charged for the queue it causes (no coordinated omission).
func OpenLoop(ctx context.Context, base string, reqs []Request, rate float64, d time.Duration) Result {
	n := max(1, min(int(rate*d.Seconds()), maxRequests))
	ctx, cancel := context.WithTimeout(ctx, d+time.Minute)
	defer cancel()
	type scheduled struct {
		at time.Time
		i  int // the i-th request of the phase takes reqs[i % len(reqs)]: the list in order
	}
	work := make(chan scheduled, n)
	start := time.Now()
	go func() {
		defer close(work)
		for i := 0; i < n && ctx.Err() == nil; i++ {
			at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if wait := time.Until(at); wait > 0 {
				time.Sleep(wait)
			}
			work <- scheduled{at, i}
		}
	}()
	var (
		mu  sync.Mutex
		out = Result{Generator: Go}
		wg  sync.WaitGroup
	)
	for w := 0; w < openLoopConns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			sent, errs := 0, 0
			for job := range work {
				_, _, err := Send(ctx, base, reqs[job.i%len(reqs)], false)
				sent++
				if err != nil {
					errs++
					continue
				}
				lat = append(lat, time.Since(job.at))
			}
			mu.Lock()
			out.N += sent - errs
			out.Errors += errs
			out.Lat = append(out.Lat, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Elapsed = time.Since(start)
	return out
}

// Sequential times n calls of fn one after another (one connection), stopping early
// after budget: cost without queueing.
func Sequential(ctx context.Context, n int, budget time.Duration, fn func(i int) error) Result {
	out := Result{Generator: Go}
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil && time.Since(start) < budget; i++ {
		t0 := time.Now()
		err := fn(i)
		if err != nil {
			out.Errors++
			continue
		}
		out.N++
		out.Lat = append(out.Lat, time.Since(t0))
	}
	out.Elapsed = time.Since(start)
	return out
}
