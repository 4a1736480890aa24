package client_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/app"
)

var sentinels = []error{
	client.ErrNotFound, client.ErrInvalid, client.ErrUnauthorized,
	client.ErrForbidden, client.ErrUnavailable, client.ErrRateLimited,
}

// problemCase is a call the service refuses, and how.
type problemCase struct {
	name       string
	baseURL    string
	opts       []client.Option
	call       func(ctx context.Context, c *client.Client) error
	kind       error // nil: none of the sentinels
	status     int
	typ        string
	retryAfter bool
}

// TestEveryProblemKind provokes each kind of refusal and checks that it comes back as a
// *Problem matching its sentinel, and no other, with the document's fields. The real
// service answers each, configured as `contextapi serve` would be (bearer tokens, rate
// limits), except where it cannot be configured so here: the 403 and the 503 of an
// unavailable authentication backend come from auth_mode kubernetes, which needs an API
// server, so a fake authenticator stands in for it behind the real HTTP layer; and a
// failing readiness comes from a store that never answered, a fake Pinger.
func TestEveryProblemKind(t *testing.T) {
	demo := serveDemo(t).URL
	token := newToken(t)
	guarded := serve(t, map[string]string{"auth_mode": "bearer", "auth_tokens_file": tokensFile(t, token)}, nil).URL
	limited := serve(t, map[string]string{"rate_limit": "0.01", "rate_burst": "1"}, nil).URL // one request, then one per 100 s
	fakeAuth := serveHTTPAPI(t, httpapi.Config{Auth: fakeAuthenticator{}, AuthMode: "kubernetes"}, nil).URL
	notReady := serveHTTPAPI(t, httpapi.Config{
		Health: app.NewHealth(neverAnswers{}, time.Now, app.HealthOptions{Store: "postgresql", Database: true}),
	}, nil).URL
	proxy := serveHandler(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body>\n<h1>502 Bad Gateway</h1>\n<hr>nginx</body></html>"))
	}).URL
	get := func(ctx context.Context, c *client.Client) error {
		_, err := c.GetIncident(ctx, 1, client.GetOptions{})
		return err
	}

	tests := []problemCase{
		{name: "404 unknown incident", baseURL: demo, call: func(ctx context.Context, c *client.Client) error {
			_, err := c.GetIncident(ctx, demoMissingIncident, client.GetOptions{})
			return err
		}, kind: client.ErrNotFound, status: 404, typ: "not-found"},
		{name: "404 unknown remediation request", baseURL: demo, call: func(ctx context.Context, c *client.Client) error {
			_, err := c.RecoveryContext(ctx, "no-such-remediation", client.RecoveryOptions{})
			return err
		}, kind: client.ErrNotFound, status: 404, typ: "not-found"},
		{name: "404 no history", baseURL: demo, call: func(ctx context.Context, c *client.Client) error {
			_, err := c.HistoricalContext(ctx, client.HistoricalQuery{Namespace: "checkout", TargetType: "Deployment", TargetName: "nothing"})
			return err
		}, kind: client.ErrNotFound, status: 404, typ: "not-found"},
		{name: "400 invalid parameters", baseURL: demo, call: func(ctx context.Context, c *client.Client) error {
			_, err := c.ListIncidents(ctx, client.ListOptions{Limit: 1000, Filters: client.Filters{Environment: []string{"moon"}}})
			return err
		}, kind: client.ErrInvalid, status: 400, typ: "invalid-argument"},
		{name: "400 invalid vector", baseURL: demo, call: func(ctx context.Context, c *client.Client) error {
			_, err := c.SemanticSearch(ctx, client.SemanticSearchRequest{Embedding: []float32{1, 2, 3}})
			return err
		}, kind: client.ErrInvalid, status: 400, typ: "invalid-argument"},
		{name: "413 body too large", baseURL: demo, call: func(ctx context.Context, c *client.Client) error {
			_, err := c.SemanticSearch(ctx, client.SemanticSearchRequest{Embedding: make([]float32, 40_000)})
			return err
		}, kind: client.ErrInvalid, status: 413, typ: "payload-too-large"},
		{name: "401 no token", baseURL: guarded, call: get, kind: client.ErrUnauthorized, status: 401, typ: "unauthenticated"},
		{name: "401 unknown token", baseURL: guarded, opts: []client.Option{client.WithToken("not-" + token)}, call: get,
			kind: client.ErrUnauthorized, status: 401, typ: "unauthenticated"},
		{name: "403 may not read", baseURL: fakeAuth, opts: []client.Option{client.WithToken("forbidden")}, call: get,
			kind: client.ErrForbidden, status: 403, typ: "forbidden"},
		{name: "503 no authentication decision", baseURL: fakeAuth, opts: []client.Option{client.WithToken("down")}, call: get,
			kind: client.ErrUnavailable, status: 503, typ: "unavailable", retryAfter: true},
		{name: "503 not ready", baseURL: notReady, call: func(ctx context.Context, c *client.Client) error {
			_, err := c.Ready(ctx, client.ReadyOptions{Verbose: true})
			return err
		}, kind: client.ErrUnavailable, status: 503, typ: "unavailable", retryAfter: true},
		{name: "429 rate limited", baseURL: limited, call: func(ctx context.Context, c *client.Client) error {
			if err := get(ctx, c); err != nil {
				return err
			}
			return get(ctx, c) // the bucket holds one request: this one is over budget
		}, kind: client.ErrRateLimited, status: 429, typ: "rate-limited", retryAfter: true},
		{name: "502 from a proxy", baseURL: proxy, call: get, status: 502},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]client.Option{client.WithRetry(client.RetryPolicy{MaxAttempts: 1})}, tc.opts...)
			c, err := client.New(tc.baseURL, opts...)
			require.NoError(t, err)
			err = tc.call(context.Background(), c)
			require.Error(t, err)
			for _, s := range sentinels {
				assert.Equal(t, errors.Is(tc.kind, s), errors.Is(err, s), "errors.Is(err, %v)", s)
			}
			var p *client.Problem
			require.ErrorAs(t, err, &p)
			assert.Equal(t, tc.status, p.Status)
			assert.NotEmpty(t, p.Title)
			if tc.typ == "" {
				assert.Equal(t, "about:blank", p.Type)
				assert.Equal(t, "<html><body> <h1>502 Bad Gateway</h1> <hr>nginx</body></html>", p.Detail, "the page, on one line")
				return
			}
			assert.Equal(t, "urn:contextapi:problem:"+tc.typ, p.Type)
			assert.NotEmpty(t, p.Detail)
			assert.True(t, strings.HasPrefix(p.Instance, "/"), p.Instance)
			assert.Regexp(t, `^[A-Za-z0-9._:-]{1,128}$`, p.RequestID)
			assert.Contains(t, err.Error(), p.RequestID)
			assert.Contains(t, err.Error(), p.Detail)
			if tc.retryAfter {
				assert.GreaterOrEqual(t, p.RetryAfter, time.Second, "the pause the service asked for")
			} else {
				assert.Zero(t, p.RetryAfter)
			}
		})
	}
}

// A validation problem names every invalid field.
func TestInvalidRequestNamesEveryField(t *testing.T) {
	c, err := client.New(serveDemo(t).URL)
	require.NoError(t, err)
	_, err = c.ListIncidents(context.Background(), client.ListOptions{
		Limit: 1000, Offset: 5, Cursor: "forged", Filters: client.Filters{Environment: []string{"moon"}, Phase: []string{"done"}},
	})
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	var fields []string
	for _, fe := range p.Errors {
		fields = append(fields, fe.Field)
		assert.NotEmpty(t, fe.Reason)
	}
	assert.Subset(t, fields, []string{"limit", "environment", "phase", "cursor"})
}

// A failed readiness asked to be verbose lists its checks in the problem.
func TestNotReadyListsTheChecks(t *testing.T) {
	var requests counter
	srv := serveHTTPAPI(t, httpapi.Config{
		Health: app.NewHealth(neverAnswers{}, time.Now, app.HealthOptions{Store: "postgresql", Database: true}),
	}, requests.wrap)
	c, err := client.New(srv.URL)
	require.NoError(t, err)
	_, err = c.Ready(context.Background(), client.ReadyOptions{Verbose: true})
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	assert.Contains(t, p.Detail, "has not answered yet")
	require.NotEmpty(t, p.Checks)
	assert.Equal(t, "startup", p.Checks[0].Name)
	assert.Equal(t, "failing", p.Checks[0].Status)
	assert.EqualValues(t, 1, requests.n.Load(), "readiness is never retried: its 503 is the answer")
}

// The refusals PostgreSQL's store gives are the same problems.
func TestProblemsOnPostgreSQL(t *testing.T) {
	pg.Require(t)
	c, err := client.New(servePostgres(t).URL)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.GetIncident(ctx, demoMissingIncident, client.GetOptions{})
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = c.SimilarIncidents(ctx, demoMissingIncident, client.SimilarOptions{})
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = c.RecoveryContext(ctx, "no-such-remediation", client.RecoveryOptions{})
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = c.Trend(ctx, client.TrendOptions{Days: 400})
	assert.ErrorIs(t, err, client.ErrInvalid)
	_, err = c.SuccessRate(ctx, client.Filters{Since: time.Now(), Until: time.Now().Add(-time.Hour)})
	assert.ErrorIs(t, err, client.ErrInvalid)
}

// Mistakes the client can tell without asking are ErrInvalid too, and nothing is sent.
func TestInvalidRequestsTheClientCatches(t *testing.T) {
	var requests counter
	c, err := client.New(serve(t, nil, requests.wrap).URL)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.RecoveryContext(ctx, "", client.RecoveryOptions{})
	assert.ErrorIs(t, err, client.ErrInvalid)
	for _, d := range []time.Duration{-time.Hour, 90 * time.Minute} {
		_, err = c.HistoricalContext(ctx, client.HistoricalQuery{Namespace: "checkout", TargetType: "deployment", TargetName: "checkout-api", TimeRange: d})
		assert.ErrorIs(t, err, client.ErrInvalid, d)
	}
	assert.Zero(t, requests.n.Load())
}
