package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/contextapi/contextapi/internal/ports"
)

// Defaults of HealthOptions.
const (
	defaultHealthInterval = time.Second
	defaultHealthTimeout  = time.Second
)

// HealthOptions tune Health.
type HealthOptions struct {
	// Store names what the service reads ("postgresql" or "demo").
	Store string
	// Database says the store is a database whose state is worth reporting (the demo
	// store, in memory, always answers).
	Database bool
	// RequireDatabase makes readiness fail while the store does not answer. Off, a
	// replica stays ready through an outage of the database every replica shares, so the
	// fleet keeps its endpoints and can answer from its cache (docs/api.md §3.6, §5).
	RequireDatabase bool
	// Interval is how long a check's result is trusted, and how often Run checks
	// (default 1s).
	Interval time.Duration
	// Timeout bounds one ping (default 1s).
	Timeout time.Duration
	// OnChange, when set, is told each time the store starts or stops answering.
	OnChange func(DatabaseState)
}

// DatabaseState is what the last check of the store found.
type DatabaseState struct {
	// Checked is false until the first check has finished.
	Checked bool
	// Up tells whether the last ping was answered.
	Up bool
	// EverUp tells whether any ping since start was answered.
	EverUp bool
	// At is when the last check finished; Since is when Up last changed.
	At, Since time.Time
	// Err is why the last ping failed (nil when Up). It may hold internal details:
	// for logs only.
	Err error
}

// Check is one line of a readiness report.
type Check struct {
	Name string
	// OK tells whether the check passes; Required whether readiness depends on it.
	OK, Required bool
	// Detail says what was found, in words safe to show any caller.
	Detail string
}

// Readiness is whether the service can serve, and the checks that decided it.
type Readiness struct {
	Ready  bool
	Checks []Check
}

// Health tracks whether the store answers, for readiness, /health and the metrics.
type Health struct {
	pinger ports.Pinger
	opts   HealthOptions
	now    Clock

	pinging sync.Mutex // one ping at a time; others wait for its result
	mu      sync.Mutex // guards state
	state   DatabaseState
}

// NewHealth returns the health of the store pinger reaches.
func NewHealth(pinger ports.Pinger, now Clock, opts HealthOptions) *Health {
	if opts.Interval <= 0 {
		opts.Interval = defaultHealthInterval
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultHealthTimeout
	}
	return &Health{pinger: pinger, opts: opts, now: now}
}

// Store names what the service reads.
func (h *Health) Store() string { return h.opts.Store }

// ReportsDatabase tells whether the store is a database whose state is reported.
func (h *Health) ReportsDatabase() bool { return h.opts.Database }

// Last returns the state the last check found, without checking.
func (h *Health) Last() DatabaseState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

// Check returns the store's state, pinging it unless the last result is recent.
func (h *Health) Check(ctx context.Context) DatabaseState {
	h.pinging.Lock()
	defer h.pinging.Unlock()
	if s := h.Last(); s.Checked && h.now().Sub(s.At) < h.opts.Interval {
		return s
	}
	pctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
	err := h.pinger.Ping(pctx)
	cancel()
	if err != nil && ctx.Err() != nil {
		return h.Last() // the caller left: that says nothing about the store
	}
	return h.record(err)
}

func (h *Health) record(err error) DatabaseState {
	h.mu.Lock()
	prev := h.state
	now := h.now()
	s := DatabaseState{Checked: true, Up: err == nil, EverUp: prev.EverUp || err == nil, At: now, Since: prev.Since, Err: err}
	if !prev.Checked || prev.Up != s.Up {
		s.Since = now
	}
	h.state = s
	h.mu.Unlock()
	if h.opts.OnChange != nil && (prev.Up != s.Up || !prev.Checked) {
		h.opts.OnChange(s)
	}
	return s
}

// Run checks the store every Interval until ctx is done, so the state Last reports
// (and the metrics built on it) stays fresh without any request asking.
func (h *Health) Run(ctx context.Context) {
	t := time.NewTicker(h.opts.Interval)
	defer t.Stop()
	for {
		h.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Readiness decides whether the service can serve: the store has answered once since
// start, shutdown has not begun, and, when RequireDatabase is set, the store answers
// now. The store is asked only when the answer depends on it or verbose wants it.
func (h *Health) Readiness(ctx context.Context, draining, verbose bool) Readiness {
	s := h.Last()
	if verbose || h.opts.RequireDatabase || !s.EverUp {
		s = h.Check(ctx)
	}
	checks := []Check{{Name: "startup", OK: s.EverUp, Required: true, Detail: h.startupDetail(s)}}
	if h.opts.Database || h.opts.RequireDatabase {
		checks = append(checks, Check{Name: "database", OK: s.Up, Required: h.opts.RequireDatabase, Detail: h.databaseDetail(s)})
	}
	checks = append(checks, Check{Name: "shutdown", OK: !draining, Required: true,
		Detail: map[bool]string{true: "shutting down", false: "serving"}[draining]})
	r := Readiness{Ready: true, Checks: checks}
	for _, c := range checks {
		if c.Required && !c.OK {
			r.Ready = false
		}
	}
	return r
}

func (h *Health) startupDetail(s DatabaseState) string {
	if s.EverUp {
		return fmt.Sprintf("the %s store has answered since start", h.opts.Store)
	}
	return fmt.Sprintf("the %s store has not answered yet", h.opts.Store)
}

func (h *Health) databaseDetail(s DatabaseState) string {
	switch {
	case !s.Checked:
		return "not checked yet"
	case s.Up:
		return "answering since " + s.Since.UTC().Format(time.RFC3339)
	case h.opts.RequireDatabase:
		return "not answering since " + s.Since.UTC().Format(time.RFC3339)
	}
	return "not answering since " + s.Since.UTC().Format(time.RFC3339) +
		"; cached answers are served, others fail with 503 until it is back"
}
