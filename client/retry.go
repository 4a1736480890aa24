package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// RetryPolicy says how often and how patiently a call is tried again. Every operation of
// the API is a read that changes nothing, so any of them may be sent twice: a call is
// retried when the service answers 503 (unavailable, overloaded) or 429 (rate limited),
// and when the connection fails (refused, reset, closed before the answer was complete).
// Semantic search is retried too: it is a POST only because its vector is large, and it
// has no side effect. Nothing else is retried: a 4xx other than 429 would only be
// refused again, and a 500 is a fault to report, not to repeat.
//
// Waits grow exponentially from InitialDelay, capped at MaxDelay, each drawn at random
// from its upper half (jitter, so that clients refused together do not come back
// together). A Retry-After the service sends is honoured: the wait is at least that long.
// The call's context bounds everything: a retry that could not start before its deadline
// is not waited for, and the last answer is returned at once.
type RetryPolicy struct {
	// MaxAttempts is how many times a call is sent at most, the first included
	// (default 4); 1 turns retries off.
	MaxAttempts int
	// InitialDelay is the wait before the first retry (default 200ms); each further
	// retry waits twice as long as the one before.
	InitialDelay time.Duration
	// MaxDelay caps every wait (default 10s). A service asking for a longer Retry-After
	// gets no retry: its answer is returned instead of a pause the caller did not allow.
	MaxDelay time.Duration
}

// Defaults of RetryPolicy's zero fields.
const (
	defaultMaxAttempts  = 4
	defaultInitialDelay = 200 * time.Millisecond
	defaultMaxDelay     = 10 * time.Second
)

func (p RetryPolicy) validate() error {
	if p.MaxAttempts < 0 || p.InitialDelay < 0 || p.MaxDelay < 0 {
		return fmt.Errorf("client: WithRetry: negative field in %+v", p)
	}
	return nil
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = defaultMaxAttempts
	}
	if p.InitialDelay == 0 {
		p.InitialDelay = defaultInitialDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = defaultMaxDelay
	}
	p.InitialDelay = min(p.InitialDelay, p.MaxDelay)
	return p
}

// wait is the pause before retry number n (1 for the first retry) when the service asked
// for retryAfter (0: nothing asked). ok is false when the service asks for more than
// MaxDelay.
func (p RetryPolicy) wait(n int, retryAfter time.Duration) (d time.Duration, ok bool) {
	if retryAfter > p.MaxDelay {
		return 0, false
	}
	ceiling := p.MaxDelay
	if n <= 30 { // beyond, the doubling overflows; the cap is long reached
		ceiling = min(p.MaxDelay, p.InitialDelay<<(n-1))
	}
	d = ceiling/2 + jitter(ceiling/2)
	if retryAfter > 0 {
		// The service's pause, plus a little so that every client told the same second
		// does not come back in the same instant.
		d = max(d, retryAfter+jitter(p.InitialDelay/2))
	}
	return d, true
}

// jitter is a random duration in [0, d].
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1) // #nosec G404 -- spreading retries needs no unpredictable randomness
}

// parseRetryAfter reads a Retry-After header, seconds or an HTTP date as
// RFC 9110 §10.2.3 allows. Anything else, or a moment past, is no pause.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// isConnectionFailure tells whether err means the request got no complete answer over
// a connection that may well work next time: refused, reset, closed early, timed out.
// A certificate the client does not trust, a TLS handshake the server refused, or a host
// that does not exist would fail the same way again.
func isConnectionFailure(err error) bool {
	var (
		certErr  *tls.CertificateVerificationError
		alertErr tls.AlertError
		recErr   tls.RecordHeaderError
		dnsErr   *net.DNSError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &alertErr), errors.As(err, &recErr):
		return false
	case errors.As(err, &dnsErr):
		return !dnsErr.IsNotFound
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Timeout() {
		return true // http.Client.Timeout ended this attempt; the next may be quicker
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
