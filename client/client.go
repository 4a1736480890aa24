package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultUserAgent is the User-Agent sent unless WithUserAgent replaces it, so the
// service's request log can tell this client's traffic apart.
const DefaultUserAgent = "contextapi-go-client"

// Client calls one contextapi service. It is safe for concurrent use; make one and share
// it, so connections are reused.
type Client struct {
	base      string // scheme://host[:port][/prefix], without a trailing slash
	http      *http.Client
	token     TokenSource // nil: no Authorization header
	userAgent string
	retry     RetryPolicy
}

// New returns a client of the service at baseURL (http or https, with an optional path
// prefix when a proxy serves the API below one), configured by opts.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q: must be an absolute http or https URL", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		// A query would be lost on every request; credentials in the URL would be sent
		// as Basic authentication, which the service refuses.
		return nil, fmt.Errorf("client: base URL %q: must have no query, fragment or user information", baseURL)
	}
	c := &Client{
		base:      strings.TrimSuffix(u.String(), "/"),
		http:      &http.Client{},
		userAgent: DefaultUserAgent,
		retry:     RetryPolicy{}.withDefaults(),
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// request is one operation's request.
type request struct {
	op     string // the operation, for error messages
	method string
	path   string // escaped, from the base URL on: /api/v1/incidents/42
	query  url.Values
	body   []byte // JSON; nil for none. Kept whole so that every attempt can send it.
	// noRetry: the answer is wanted as it is now, whatever it is (readiness).
	noRetry bool
}

// send sends r and decodes the service's answer as a T. Refusals come back as *Problem.
func send[T any](ctx context.Context, c *Client, r request) (*T, error) {
	body, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	// Unknown members are ignored, not refused: a newer service may add members, and
	// older clients must keep working (the spec test keeps this package complete).
	var out T
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("client: %s: decode the answer: %w", r.op, err)
	}
	return &out, nil
}

// do sends r until it gets an answer that is not worth retrying, and returns the body of
// a success.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	policy := c.retry
	if r.noRetry {
		policy.MaxAttempts = 1
	}
	for attempt := 1; ; attempt++ {
		body, err := c.attempt(ctx, r)
		if err == nil {
			return body, nil
		}
		retryAfter, again := shouldRetry(ctx, err)
		if !again || attempt >= policy.MaxAttempts {
			return nil, err
		}
		wait, ok := policy.wait(attempt, retryAfter)
		if !ok {
			return nil, err // the service asks for a longer pause than the policy allows
		}
		if deadline, has := ctx.Deadline(); has && time.Until(deadline) < wait {
			return nil, err // the retry could not start in time: the caller learns why now
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("client: %s: gave up waiting to retry: %w; last attempt: %w", r.op, context.Cause(ctx), err)
		case <-timer.C:
		}
	}
}

// attempt sends r once and reads the whole answer, so that a connection lost halfway
// through a body is a failed attempt like any other.
func (c *Client) attempt(ctx context.Context, r request) ([]byte, error) {
	target := c.base + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", r.op, err)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", c.userAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != nil {
		// Asked for on every attempt, so a rotated token file is read before a retry.
		token, err := c.token.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("client: %s: token: %w", r.op, err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &transportError{op: r.op, err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, readProblem(resp)
	}
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &transportError{op: r.op, err: err}
	}
	return out, nil
}

// transportError is a request that got no complete answer: the connection failed.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return "client: " + e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// shouldRetry tells whether err is worth another attempt, and the pause the service asked
// for. Only what says nothing about the request is: the service was unavailable (503) or
// limited the caller (429), or the connection failed. The caller's own context ending
// never is.
func shouldRetry(ctx context.Context, err error) (time.Duration, bool) {
	if ctx.Err() != nil {
		return 0, false
	}
	var p *Problem
	if errors.As(err, &p) {
		return p.RetryAfter, p.Status == http.StatusServiceUnavailable || p.Status == http.StatusTooManyRequests
	}
	var te *transportError
	if errors.As(err, &te) {
		return 0, isConnectionFailure(te.err)
	}
	return 0, false
}
