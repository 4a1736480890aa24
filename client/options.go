package client

import (
	"errors"
	"net/http"
	"strings"
)

// Option configures a Client; pass any number to New.
type Option func(*Client) error

// WithHTTPClient sends every request through hc: for TLS settings (a private CA, a
// client certificate for mutual TLS), a proxy, or instrumentation. Without it the client
// uses a plain http.Client of its own. hc.Timeout, when set, bounds each attempt; the
// context bounds the whole call.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("client: WithHTTPClient: nil *http.Client")
		}
		c.http = hc
		return nil
	}
}

// WithToken sends token as a bearer token with every request (auth_mode bearer: a token
// `contextapi token` printed).
func WithToken(token string) Option {
	return func(c *Client) error {
		t, err := staticToken(token)
		if err != nil {
			return err
		}
		c.token = t
		return nil
	}
}

// WithTokenFile sends the token held in the file at path, read again whenever the file
// changes: a Kubernetes service-account token
// (/var/run/secrets/kubernetes.io/serviceaccount/token) is rotated in place by the
// kubelet while the program runs. The file must hold a token when New is called, so a
// wrong path fails at once rather than on the first request.
func WithTokenFile(path string) Option {
	return func(c *Client) error {
		t, err := newFileToken(path)
		if err != nil {
			return err
		}
		c.token = t
		return nil
	}
}

// WithTokenSource asks ts for the bearer token before every attempt of every request:
// for tokens that come from elsewhere (a credential helper, a vault).
func WithTokenSource(ts TokenSource) Option {
	return func(c *Client) error {
		if ts == nil {
			return errors.New("client: WithTokenSource: nil TokenSource")
		}
		c.token = ts
		return nil
	}
}

// WithUserAgent replaces DefaultUserAgent, so the service's logs name the program (a
// command line tool might send "contextapi-cli/1.2 contextapi-go-client").
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(ua) == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("client: WithUserAgent: empty, or holds a line break")
		}
		c.userAgent = ua
		return nil
	}
}

// WithRetry replaces the default retry policy; zero fields keep their defaults, and
// RetryPolicy{MaxAttempts: 1} turns retries off.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if err := p.validate(); err != nil {
			return err
		}
		c.retry = p.withDefaults()
		return nil
	}
}
