package client

import (
	"context"
	"net/http"
	"net/url"
)

// Health is what /health reports (docs/api.md §3.6).
type Health struct {
	// Status is "healthy" whenever the process answers.
	Status string `json:"status"`
	// Store names what the service reads: postgresql, or demo (built-in data).
	Store string `json:"store"`
	// Database is the database's state as last checked (up, down, unknown); empty for
	// the demo store.
	Database string `json:"database,omitempty"`
}

// Ready is a successful readiness check.
type Ready struct {
	// Status is "ready".
	Status string `json:"status"`
	// Checks are listed when asked for (ReadyOptions.Verbose).
	Checks []Check `json:"checks,omitempty"`
}

// Check is one readiness check.
type Check struct {
	// Name is startup, database or shutdown.
	Name string `json:"name"`
	// Status is ok or failing.
	Status string `json:"status"`
	// Required tells whether readiness depends on the check.
	Required bool   `json:"required"`
	Detail   string `json:"detail"`
}

// ReadyOptions shapes Ready.
type ReadyOptions struct {
	// Verbose lists the checks, in a failed readiness's problem too (Problem.Checks).
	Verbose bool
}

// Health returns the service's health (GET /health): whether it answers, what it reads
// and its database's state. It never waits on the database; authentication is not
// needed.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	return send[Health](ctx, c, request{op: "health", method: http.MethodGet, path: "/health"})
}

// Ready asks whether this replica can serve (GET /health/ready). Not ready is a *Problem
// matching ErrUnavailable whose Detail says why. Ready is never retried: the probe's
// answer now is the point, and a 503 is that answer, not a failure to get one.
func (c *Client) Ready(ctx context.Context, opts ReadyOptions) (*Ready, error) {
	q := url.Values{}
	if opts.Verbose {
		q.Set("verbose", "")
	}
	return send[Ready](ctx, c, request{op: "readiness", method: http.MethodGet, path: "/health/ready", query: q, noRetry: true})
}
