// Package load drives the contenders: saturation (closed loop) with wrk or with Go's
// net/http client, a fixed rate (open loop) and one connection with the Go client.
// Every phase is bounded in time and in request count, and reports a Result.
package load

import (
	"net/http"
	"time"
)

// Request is one HTTP request of a workload.
type Request struct {
	Method string
	URI    string // path and query
	Body   []byte // JSON, or nil
}

// Get is a GET of uri.
func Get(uri string) Request { return Request{Method: http.MethodGet, URI: uri} }

// Generator names, as the report shows them.
const (
	Wrk = "wrk"
	Go  = "go"
)

// Result is what one contender did in one phase: N requests answered 200 (2xx for
// wrk), Errors failed (not counted in the throughput), and latency samples.
type Result struct {
	N, Errors int
	Elapsed   time.Duration
	Lat       []time.Duration
	Generator string // Wrk or Go
}

// RPS is the phase's completed requests per second.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.N) / r.Elapsed.Seconds()
}
