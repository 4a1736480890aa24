package mcp_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/mcp"
)

// remoteSession is a client session with the tools over a running HTTP API serving the
// fixture, through the Go client: what `contextapi mcp` serves.
func remoteSession(t *testing.T) *mcp.Remote {
	t.Helper()
	api := httptest.NewServer(httpapi.NewServer(fixtureService(fixtureRepo()), nil, nil, httpapi.Config{}))
	t.Cleanup(api.Close)
	c, err := client.New(api.URL, client.WithHTTPClient(api.Client()))
	require.NoError(t, err)
	return mcp.NewRemote(c)
}

// Remote answers every call exactly as Service does: the client's answers have the
// tools' shapes, and no rule differs between the two.
func TestRemoteAnswersLikeService(t *testing.T) {
	local := serviceSession(t, mcp.Options{})
	remote := connect(t, mcp.NewServer(remoteSession(t), mcp.Options{}))
	for _, c := range validCalls {
		t.Run(c.name, func(t *testing.T) {
			want := call(t, local, c.name, c.args)
			got := call(t, remote, c.name, c.args)
			require.False(t, got.IsError, text(t, got))
			assert.Equal(t, structured(t, want), structured(t, got))
			assert.Equal(t, text(t, want), text(t, got))
		})
	}
}

// The service's refusals reach the model with the service's title and detail.
func TestRemoteRefusalsKeepTheServiceWords(t *testing.T) {
	local := serviceSession(t, mcp.Options{})
	remote := connect(t, mcp.NewServer(remoteSession(t), mcp.Options{}))
	for _, args := range []struct {
		tool string
		args map[string]any
	}{
		{mcp.ToolGetIncident, map[string]any{"id": 999999}},
		{mcp.ToolListIncidents, map[string]any{"cursor": "nope"}},
		{mcp.ToolListIncidents, map[string]any{"since": "2026-13-01T00:00:00Z"}},
		{mcp.ToolHistoricalContext, map[string]any{"namespace": "x", "kind": "Deployment", "name": "y", "time_range": "999d"}},
		{mcp.ToolRecoveryContext, map[string]any{"remediation_request_id": "nope"}},
	} {
		want := call(t, local, args.tool, args.args)
		got := call(t, remote, args.tool, args.args)
		assert.True(t, got.IsError)
		assert.Equal(t, text(t, want), text(t, got))
	}
}

// A service that cannot be reached is a tool error saying why.
func TestRemoteUnreachableIsAToolError(t *testing.T) {
	api := httptest.NewServer(nil)
	api.Close()
	c, err := client.New(api.URL, client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	cs := connect(t, mcp.NewServer(mcp.NewRemote(c), mcp.Options{}))
	res := call(t, cs, mcp.ToolGetIncident, map[string]any{"id": 1})
	assert.True(t, res.IsError)
	assert.Contains(t, text(t, res), "Service unavailable: cannot reach the service")
	assert.Contains(t, text(t, res), "connection refused")
}
