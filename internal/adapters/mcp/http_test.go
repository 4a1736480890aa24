package mcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/mcp"
	"github.com/contextapi/contextapi/internal/domain"
)

const testToken = "s3cret-token"

// tokenAuth accepts testToken only.
type tokenAuth struct{}

func (tokenAuth) Authenticate(_ context.Context, token string) (domain.Principal, error) {
	if token != testToken {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	return domain.Principal{Name: "agent"}, nil
}

// lockedBuffer collects the server's log lines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveHTTP runs the HTTP API with /mcp mounted, as the root wires it.
func serveHTTP(t *testing.T, cfg httpapi.Config) (*httptest.Server, *lockedBuffer) {
	t.Helper()
	svc := fixtureService(fixtureRepo())
	cfg.MCP = mcp.NewHTTPHandler(mcp.NewServer(mcp.NewService(svc), mcp.Options{}))
	logs := &lockedBuffer{}
	srv := httptest.NewServer(httpapi.NewServer(svc, nil, slog.New(slog.NewJSONHandler(logs, nil)), cfg))
	t.Cleanup(srv.Close)
	return srv, logs
}

// bearer adds a token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// httpSession connects the Go SDK's client over streamable HTTP, sending token when set.
func httpSession(t *testing.T, srv *httptest.Server, token string) (*sdk.ClientSession, error) {
	t.Helper()
	hc := srv.Client()
	if token != "" {
		hc = &http.Client{Transport: bearer{token: token, next: hc.Transport}}
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil).Connect(t.Context(),
		&sdk.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: hc, DisableStandaloneSSE: true}, nil)
	if err == nil {
		t.Cleanup(func() { _ = cs.Close() })
	}
	return cs, err
}

// initialize is a raw initialize request, as any MCP client first sends.
func initialize(t *testing.T, url, token string) *http.Response {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/mcp", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

func TestHTTPWithAuthenticationRefusesWithoutAToken(t *testing.T) {
	srv, _ := serveHTTP(t, httpapi.Config{Auth: tokenAuth{}, AuthMode: "bearer"})
	for _, token := range []string{"", "wrong"} {
		res := initialize(t, srv.URL, token)
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
		assert.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
		assert.Empty(t, res.Header.Get("Mcp-Session-Id"), "no MCP session")
		var p struct{ Type string }
		require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
		assert.Equal(t, "urn:contextapi:problem:unauthenticated", p.Type)
		_, err := httpSession(t, srv, token)
		assert.Error(t, err, "the SDK client cannot connect")
	}
}

func TestHTTPWithAuthenticationServesEveryToolToAToken(t *testing.T) {
	srv, logs := serveHTTP(t, httpapi.Config{Auth: tokenAuth{}, AuthMode: "bearer"})
	res := initialize(t, srv.URL, testToken)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"), "stateless, plain JSON answers")
	assert.Empty(t, res.Header.Get("Mcp-Session-Id"), "stateless: no session to stick to")

	cs, err := httpSession(t, srv, testToken)
	require.NoError(t, err)
	tools, err := cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	assert.Len(t, tools.Tools, 6)
	for _, c := range validCalls {
		res := call(t, cs, c.name, c.args)
		assert.False(t, res.IsError, "%s: %s", c.name, text(t, res))
		assert.Contains(t, text(t, res), c.text)
	}
	bad := call(t, cs, mcp.ToolGetIncident, map[string]any{"id": 999999})
	assert.True(t, bad.IsError)
	assert.Contains(t, logs.String(), `"route":"/mcp"`, "/mcp requests are logged like the API's")
	assert.Contains(t, logs.String(), `"principal":"agent"`)
}

func TestHTTPWithoutAuthenticationServesTools(t *testing.T) {
	srv, _ := serveHTTP(t, httpapi.Config{})
	cs, err := httpSession(t, srv, "")
	require.NoError(t, err)
	res := call(t, cs, mcp.ToolGetIncident, map[string]any{"id": 1})
	assert.False(t, res.IsError, text(t, res))
}

func TestHTTPOtherMethodsAre405(t *testing.T) {
	srv, _ := serveHTTP(t, httpapi.Config{})
	res, err := srv.Client().Get(srv.URL + "/mcp")
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
}

// denyAll spends no budget: every request is over the limit.
type denyAll struct{}

func (denyAll) Allow(string) httpapi.RateDecision {
	return httpapi.RateDecision{Allowed: false, RetryAfter: time.Second, Header: "limit=0, remaining=0, reset=1"}
}
func (denyAll) Policy() string { return "0;w=1" }

func TestHTTPRateLimitAppliesToMCP(t *testing.T) {
	srv, _ := serveHTTP(t, httpapi.Config{RateLimiter: denyAll{}})
	res := initialize(t, srv.URL, "")
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
}
