package mcp_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/mcp"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// fixtureService is the application service over the contract fixture, at its clock.
func fixtureService(repo ports.Repository) *app.Service {
	return app.NewService(repo, func() time.Time { return porttest.FixtureNow }, app.NewCursorCodec([]byte("test")))
}

func fixtureRepo() *memory.Repository {
	return memory.NewRepository(porttest.Fixture(porttest.FixtureNow))
}

// connect serves s to a Go SDK client over the in-memory transport.
func connect(t *testing.T, s *sdk.Server) *sdk.ClientSession {
	t.Helper()
	ctx := t.Context()
	st, ct := sdk.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	require.NoError(t, err)
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cs.Close()
		_ = ss.Wait()
	})
	return cs
}

// serviceSession is a client session with the tools over the fixture service.
func serviceSession(t *testing.T, opts mcp.Options) *sdk.ClientSession {
	return connect(t, mcp.NewServer(mcp.NewService(fixtureService(fixtureRepo())), opts))
}

// toolCall is one valid call of each tool, with a word its text must contain.
type toolCall struct {
	name string
	args map[string]any
	text string
}

// validCalls calls every tool with arguments the fixture answers.
var validCalls = []toolCall{
	{mcp.ToolListIncidents, map[string]any{"namespace": []string{"production"}, "limit": 3}, "incidents match (showing 3)"},
	{mcp.ToolGetIncident, map[string]any{"id": 1}, "#1 HighMemoryUsage on Deployment production/webapp"},
	{mcp.ToolFindSimilar, map[string]any{"incident_id": 1, "threshold": 0.1}, "similar incidents"},
	{mcp.ToolRecoveryContext, map[string]any{"remediation_request_id": "test-rr-017"}, "Remediation request test-rr-017"},
	{mcp.ToolHistoricalContext, map[string]any{"namespace": "production", "kind": "Deployment", "name": "webapp", "time_range": "30d"}, "History of Deployment production/webapp"},
	{mcp.ToolSuccessRates, map[string]any{}, "By action_type"},
	{mcp.ToolSuccessRates, map[string]any{"by": "namespace"}, "By namespace"},
	{mcp.ToolSuccessRates, map[string]any{"by": "severity", "environment": []string{"production"}}, "By severity"},
}

// call calls a tool, requiring an answer (a tool error is an answer).
func call(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) *sdk.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err, "a tool call must never be a protocol error")
	return res
}

// text is a result's text content.
func text(t *testing.T, res *sdk.CallToolResult) string {
	t.Helper()
	require.Len(t, res.Content, 1)
	tc, ok := res.Content[0].(*sdk.TextContent)
	require.True(t, ok, "content is text")
	return tc.Text
}

// resolve compiles a schema as a client received it.
func resolve(t *testing.T, schema any) *jsonschema.Resolved {
	t.Helper()
	b, err := json.Marshal(schema)
	require.NoError(t, err)
	var s jsonschema.Schema
	require.NoError(t, json.Unmarshal(b, &s))
	r, err := s.Resolve(nil)
	require.NoError(t, err)
	return r
}

// structured is a result's structured content as plain JSON values.
func structured(t *testing.T, res *sdk.CallToolResult) map[string]any {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// blockingBackend answers nothing until its context ends.
type blockingBackend struct{ mcp.Backend }

func (blockingBackend) GetIncident(ctx context.Context, _ int64) (mcp.Incident, error) {
	<-ctx.Done()
	return mcp.Incident{}, context.Cause(ctx)
}
