package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
)

// quick retries soon, for tests that do not exercise Retry-After.
var quick = client.WithRetry(client.RetryPolicy{InitialDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond})

// The service's 503 with Retry-After is retried after that pause, until it answers.
func TestRetriesAnInjected503HonouringRetryAfter(t *testing.T) {
	fail := newFailFirst(2, unavailable("1"))
	c, err := client.New(serve(t, nil, fail.wrap).URL)
	require.NoError(t, err)
	start := time.Now()
	page, err := c.ListIncidents(context.Background(), client.ListOptions{Limit: 5})
	require.NoError(t, err)
	assert.EqualValues(t, demoIncidents, page.Total)
	assert.EqualValues(t, 3, fail.seen.Load(), "two 503s, then the answer")
	assert.GreaterOrEqual(t, time.Since(start), 2*time.Second, "Retry-After: 1, twice")
	assert.Less(t, time.Since(start), 4*time.Second)
}

// Semantic search is a POST, but a read: it is retried, with the same body.
func TestRetriesSemanticSearchWithItsBody(t *testing.T) {
	demo, err := client.New(serveDemo(t).URL)
	require.NoError(t, err)
	inc, err := demo.GetIncident(context.Background(), 288, client.GetOptions{IncludeEmbedding: true})
	require.NoError(t, err)

	fail := newFailFirst(1, unavailable("1"))
	c, err := client.New(serve(t, nil, fail.wrap).URL)
	require.NoError(t, err)
	res, err := c.SemanticSearch(context.Background(), client.SemanticSearchRequest{Embedding: inc.Embedding, Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, int64(288), res.Incidents[0].ID)
	require.Len(t, fail.bodies, 2)
	first, second := <-fail.bodies, <-fail.bodies
	assert.Contains(t, string(first), `"embedding":[`)
	assert.True(t, bytes.Equal(first, second), "the retry sent the same body")
}

// A caller over its rate limit waits for the service's Retry-After and gets its answer.
func TestRetriesWhenRateLimited(t *testing.T) {
	var requests counter
	c, err := client.New(serve(t, map[string]string{"rate_limit": "1", "rate_burst": "1"}, requests.wrap).URL)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Health(ctx) // not rate limited: only /api/* is
	require.NoError(t, err)
	_, err = c.GetIncident(ctx, 1, client.GetOptions{})
	require.NoError(t, err)
	start := time.Now()
	_, err = c.GetIncident(ctx, 2, client.GetOptions{})
	require.NoError(t, err, "retried after the 429")
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)
	assert.GreaterOrEqual(t, requests.n.Load(), int64(4))
}

// A connection closed before the answer is retried.
func TestRetriesConnectionFailures(t *testing.T) {
	fail := newFailFirst(2, hangUp)
	c, err := client.New(serve(t, nil, fail.wrap).URL, quick)
	require.NoError(t, err)
	inc, err := c.GetIncident(context.Background(), 7, client.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(7), inc.ID)
	assert.EqualValues(t, 3, fail.seen.Load())
}

// A refused connection is retried up to MaxAttempts, then reported as it is.
func TestRetriesARefusedConnectionThenGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	c, err := client.New("http://"+addr, client.WithRetry(client.RetryPolicy{MaxAttempts: 3, InitialDelay: 100 * time.Millisecond}))
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Health(context.Background())
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	var p *client.Problem
	assert.False(t, errors.As(err, &p), "no answer, no problem")
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "two waits, of 50-100ms and 100-200ms")
}

// A certificate the client does not trust would be refused again: no retry.
func TestDoesNotRetryAnUntrustedCertificate(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake error is the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, quick)
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	require.Error(t, err)
	assert.EqualValues(t, 1, conns.Load())
}

// What the service refused for the request's sake would be refused again: no retry.
func TestDoesNotRetryOtherRefusals(t *testing.T) {
	var requests counter
	demo := serve(t, nil, requests.wrap)
	var internal counter
	broken := serveHandler(t, func(w http.ResponseWriter, r *http.Request) {
		internal.n.Add(1)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"type":"urn:contextapi:problem:internal","title":"Internal error","status":500,"detail":"x","instance":"/","request_id":"r"}`))
	})
	ctx := context.Background()
	c, err := client.New(demo.URL, quick)
	require.NoError(t, err)
	_, err = c.GetIncident(ctx, demoMissingIncident, client.GetOptions{})
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = c.ListIncidents(ctx, client.ListOptions{Limit: 1000})
	assert.ErrorIs(t, err, client.ErrInvalid)
	assert.EqualValues(t, 2, requests.n.Load())

	c, err = client.New(broken.URL, quick)
	require.NoError(t, err)
	_, err = c.Health(ctx)
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 500, p.Status)
	assert.EqualValues(t, 1, internal.n.Load())
}

// After MaxAttempts, the last answer is returned.
func TestGivesUpAfterMaxAttempts(t *testing.T) {
	fail := newFailFirst(100, unavailable(""))
	c, err := client.New(serve(t, nil, fail.wrap).URL, client.WithRetry(client.RetryPolicy{MaxAttempts: 3, InitialDelay: time.Millisecond}))
	require.NoError(t, err)
	_, err = c.SuccessRate(context.Background(), client.Filters{})
	assert.ErrorIs(t, err, client.ErrUnavailable)
	assert.EqualValues(t, 3, fail.seen.Load())
}

// A service asking for a longer pause than MaxDelay gets no retry: the caller learns at
// once, with the pause it asked for.
func TestDoesNotWaitLongerThanMaxDelay(t *testing.T) {
	fail := newFailFirst(100, unavailable("30"))
	c, err := client.New(serve(t, nil, fail.wrap).URL)
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Health(context.Background())
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 30*time.Second, p.RetryAfter)
	assert.EqualValues(t, 1, fail.seen.Load())
	assert.Less(t, time.Since(start), time.Second)
}

// A retry that could not start before the context's deadline is not waited for.
func TestTheDeadlineBoundsRetries(t *testing.T) {
	fail := newFailFirst(100, unavailable("2"))
	c, err := client.New(serve(t, nil, fail.wrap).URL)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err = c.Health(ctx)
	assert.ErrorIs(t, err, client.ErrUnavailable, "the last answer, not a bare deadline error")
	assert.Less(t, time.Since(start), 500*time.Millisecond)
	assert.EqualValues(t, 1, fail.seen.Load())
}

// A context cancelled during the wait ends the call at once; the error says both why
// it ended and what the last attempt got.
func TestCancellingEndsTheWait(t *testing.T) {
	fail := newFailFirst(100, unavailable(""))
	c, err := client.New(serve(t, nil, fail.wrap).URL, client.WithRetry(client.RetryPolicy{InitialDelay: 5 * time.Second}))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Health(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, client.ErrUnavailable)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.EqualValues(t, 1, fail.seen.Load())
}
