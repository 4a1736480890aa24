package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireToken lets through requests carrying token only, as an authenticating service.
func requireToken(token string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+token {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"type":"urn:contextapi:problem:unauthenticated","title":"Unauthenticated","status":401,"detail":"The request needs valid credentials."}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// startMCP runs `contextapi mcp args...` in process, its stdin and stdout piped to a
// Go SDK client, with env as its environment.
func startMCP(t *testing.T, env map[string]string, args ...string) (*sdk.ClientSession, *bytes.Buffer, <-chan error) {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	stderr := &bytes.Buffer{}
	con := &console{stdout: outW, stderr: stderr, now: func() time.Time { return fixedNow },
		lookupEnv: func(name string) (string, bool) { v, ok := env[name]; return v, ok }}
	root := newRoot(con)
	root.SetIn(inR)
	root.SetArgs(append([]string{"mcp"}, args...))
	done := make(chan error, 1)
	go func() {
		done <- root.ExecuteContext(context.Background())
		_ = outW.Close()
	}()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil).Connect(t.Context(),
		&sdk.IOTransport{Reader: outR, Writer: inW}, nil)
	require.NoError(t, err)
	return cs, stderr, done
}

func TestMCPServesTheToolsOnStdio(t *testing.T) {
	srv := serveDemoAt(t, fixedNow, requireToken("tok"))
	cs, stderr, done := startMCP(t, map[string]string{envToken: "tok"}, "--server", srv.URL)
	tools, err := cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	assert.Len(t, tools.Tools, 6)

	list, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "list_incidents", Arguments: map[string]any{"limit": 2}})
	require.NoError(t, err)
	require.False(t, list.IsError, list.Content)
	assert.Contains(t, list.Content[0].(*sdk.TextContent).Text, "incidents match (showing 2)")
	incidents := list.StructuredContent.(map[string]any)["incidents"].([]any)
	require.Len(t, incidents, 2)

	got, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "get_incident", Arguments: map[string]any{"id": incidents[0].(map[string]any)["id"]}})
	require.NoError(t, err)
	assert.False(t, got.IsError)
	rates, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "get_success_rates", Arguments: map[string]any{"by": "severity"}})
	require.NoError(t, err)
	assert.False(t, rates.IsError)

	missing, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "get_incident", Arguments: map[string]any{"id": 99999999}})
	require.NoError(t, err)
	assert.True(t, missing.IsError)
	assert.Contains(t, missing.Content[0].(*sdk.TextContent).Text, "Not found")

	require.NoError(t, cs.Close())
	select {
	case err := <-done:
		assert.NoError(t, err, "closing stdin ends the command cleanly")
	case <-time.After(5 * time.Second):
		t.Fatal("the command did not end when stdin closed")
	}
	assert.Empty(t, stderr.String())
}

func TestMCPWithoutTheTokenSaysSoInEveryCall(t *testing.T) {
	srv := serveDemoAt(t, fixedNow, requireToken("tok"))
	cs, _, done := startMCP(t, nil, "--server", srv.URL)
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "get_incident", Arguments: map[string]any{"id": 1}})
	require.NoError(t, err)
	assert.True(t, res.IsError)
	assert.Equal(t, "Unauthenticated: The request needs valid credentials.", res.Content[0].(*sdk.TextContent).Text)
	require.NoError(t, cs.Close())
	<-done
}
