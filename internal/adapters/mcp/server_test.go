package mcp_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/mcp"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
	"github.com/contextapi/contextapi/internal/testkit"
)

func TestListsEveryToolWithSchemas(t *testing.T) {
	cs := serviceSession(t, mcp.Options{})
	res, err := cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	byName := map[string]*sdk.Tool{}
	for _, tool := range res.Tools {
		byName[tool.Name] = tool
	}
	for _, name := range []string{mcp.ToolListIncidents, mcp.ToolGetIncident, mcp.ToolFindSimilar,
		mcp.ToolRecoveryContext, mcp.ToolHistoricalContext, mcp.ToolSuccessRates} {
		tool := byName[name]
		require.NotNil(t, tool, name)
		assert.NotEmpty(t, tool.Description, name)
		assert.True(t, tool.Annotations.ReadOnlyHint, name)
		in := structuredSchema(t, tool.InputSchema)
		out := structuredSchema(t, tool.OutputSchema)
		assert.Equal(t, "object", in["type"], name)
		assert.Equal(t, "object", out["type"], name)
		assert.Equal(t, false, in["additionalProperties"], "%s: a misspelt argument must not widen a query", name)
		assert.NotContains(t, out["properties"], "embedding", name)
	}
	assert.Len(t, res.Tools, 6)
}

func structuredSchema(t *testing.T, s any) map[string]any {
	t.Helper()
	return structured(t, &sdk.CallToolResult{StructuredContent: s})
}

// Every tool answers a valid call with structured content valid against its declared
// output schema, and a short text that is not the JSON.
func TestEveryToolAnswersWithStructuredContentAndText(t *testing.T) {
	cs := serviceSession(t, mcp.Options{})
	tools, err := cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	schemas := map[string]any{}
	for _, tool := range tools.Tools {
		schemas[tool.Name] = tool.OutputSchema
	}
	for _, c := range validCalls {
		t.Run(c.name, func(t *testing.T) {
			res := call(t, cs, c.name, c.args)
			txt := text(t, res)
			require.False(t, res.IsError, txt)
			assert.Contains(t, txt, c.text)
			assert.False(t, strings.HasPrefix(txt, "{"), "the text is a rendering, not the JSON")
			assert.LessOrEqual(t, strings.Count(txt, "\n"), 30, "the text stays short")
			require.NotNil(t, res.StructuredContent)
			assert.NoError(t, resolve(t, schemas[c.name]).Validate(structured(t, res)))
			assert.NotContains(t, txt, "embedding")
		})
	}
}

func TestToolResultsCarryTheAnswers(t *testing.T) {
	cs := serviceSession(t, mcp.Options{})
	list := structured(t, call(t, cs, mcp.ToolListIncidents, map[string]any{"namespace": []string{"production"}, "limit": 3}))
	assert.Len(t, list["incidents"], 3)
	assert.NotNil(t, list["next_cursor"])
	next := structured(t, call(t, cs, mcp.ToolListIncidents, map[string]any{
		"namespace": []string{"production"}, "limit": 3, "cursor": list["next_cursor"],
	}))
	assert.NotEqual(t, list["incidents"], next["incidents"], "the cursor pages on")

	got := structured(t, call(t, cs, mcp.ToolGetIncident, map[string]any{"id": 1}))
	assert.Equal(t, "HighMemoryUsage", got["name"])
	assert.Equal(t, "scale_deployment", got["action_type"])
	assert.Equal(t, map[string]any{"description": "Pod memory usage exceeded 90% threshold", "replicas": float64(5)}, got["metadata"])

	similar := structured(t, call(t, cs, mcp.ToolFindSimilar, map[string]any{"incident_id": 1, "threshold": 0.1, "limit": 2}))
	assert.Len(t, similar["incidents"], 2)
	for _, inc := range similar["incidents"].([]any) {
		assert.NotEqual(t, float64(1), inc.(map[string]any)["id"], "the incident itself is left out")
	}

	rc := structured(t, call(t, cs, mcp.ToolRecoveryContext, map[string]any{"remediation_request_id": "test-rr-017"}))
	assert.Equal(t, "test-rr-017", rc["incident"].(map[string]any)["remediation_request_id"])

	rates := structured(t, call(t, cs, mcp.ToolSuccessRates, map[string]any{"by": "severity"}))
	assert.Equal(t, "severity", rates["by"])
	var sum float64
	for _, g := range rates["groups"].([]any) {
		sum += g.(map[string]any)["total"].(float64)
	}
	assert.Equal(t, rates["total"], sum, "every incident has one severity")
}

// Bad input is a tool error naming the problem, as the HTTP API's problem document
// would, never a protocol error.
func TestBadInputIsAToolError(t *testing.T) {
	cs := serviceSession(t, mcp.Options{})
	tests := []struct {
		name, tool string
		args       map[string]any
		want       string
	}{
		{"limit out of bounds", mcp.ToolListIncidents, map[string]any{"limit": 1000}, "Invalid argument: limit: must be at most 100"},
		{"unknown argument", mcp.ToolListIncidents, map[string]any{"namespaces": []string{"x"}}, "Invalid argument: namespaces: is not an argument of this tool"},
		{"bad time", mcp.ToolListIncidents, map[string]any{"since": "yesterday"}, "since"},
		{"bad cursor", mcp.ToolListIncidents, map[string]any{"cursor": "nope"}, "Invalid argument: cursor"},
		{"bad phase", mcp.ToolSuccessRates, map[string]any{"phase": []string{"done"}}, "Invalid argument: phase: must be one of pending, processing, completed, failed"},
		{"bad by", mcp.ToolSuccessRates, map[string]any{"by": "cluster"}, "Invalid argument: by: must be one of action_type, namespace, severity"},
		{"unknown incident", mcp.ToolGetIncident, map[string]any{"id": 999999}, "Not found: The requested resource does not exist."},
		{"id below one", mcp.ToolGetIncident, map[string]any{"id": -3}, "Invalid argument: id: must be at least 1"},
		{"threshold above one", mcp.ToolFindSimilar, map[string]any{"incident_id": 1, "threshold": 1.5}, "Invalid argument: threshold: must be at most 1"},
		{"missing id", mcp.ToolGetIncident, map[string]any{}, "Invalid argument: id: is required"},
		{"both queries", mcp.ToolFindSimilar, map[string]any{"incident_id": 1, "text": "oom"}, "Invalid argument: incident_id: give exactly one of incident_id and text"},
		{"no query", mcp.ToolFindSimilar, map[string]any{}, "give exactly one of incident_id and text"},
		{"text without embedder", mcp.ToolFindSimilar, map[string]any{"text": "pods OOMKilled"}, "Invalid argument: text: text queries need an embedder: set embedder_url (or search with embedding, a vector)"},
		{"unknown remediation", mcp.ToolRecoveryContext, map[string]any{"remediation_request_id": "nope"}, "Not found"},
		{"no history", mcp.ToolHistoricalContext, map[string]any{"namespace": "x", "kind": "Deployment", "name": "y"}, "Not found"},
		{"time range too long", mcp.ToolHistoricalContext, map[string]any{"namespace": "x", "kind": "Deployment", "name": "y", "time_range": "999d"}, "Invalid argument: timeRange"},
		{"bad time range", mcp.ToolHistoricalContext, map[string]any{"namespace": "x", "kind": "Deployment", "name": "y", "time_range": "a week"}, `Invalid argument: time_range: must match "^[0-9]{1,4}[dh]$"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, cs, tt.tool, tt.args)
			assert.True(t, res.IsError)
			assert.Contains(t, text(t, res), tt.want)
			assert.Regexp(t, `^(Invalid argument|Not found): `, text(t, res), "one form of refusal, whoever refused")
		})
	}
}

// failingRepo fails every read as a broken database would.
type failingRepo struct{ ports.Repository }

var errDriver = errors.New("pq: relation rat does not exist at SELECT secret_column")

func (failingRepo) Get(context.Context, domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	return domain.IncidentEvent{}, domain.Read{}, errDriver
}

func (failingRepo) Aggregate(context.Context, domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	return nil, domain.Read{}, fmt.Errorf("postgres: aggregate: %w: timeout", domain.ErrUnavailable)
}

func TestInternalFailuresStayGenericAndAreLogged(t *testing.T) {
	logs := &strings.Builder{}
	s := mcp.NewServer(mcp.NewService(fixtureService(failingRepo{fixtureRepo()})), mcp.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	cs := connect(t, s)
	res := call(t, cs, mcp.ToolGetIncident, map[string]any{"id": 1})
	assert.True(t, res.IsError)
	assert.Equal(t, "Internal error: The request failed because of an internal error; quote the request id when reporting it.", text(t, res))
	assert.Contains(t, logs.String(), "secret_column", "the cause goes to the log")

	res = call(t, cs, mcp.ToolSuccessRates, map[string]any{})
	assert.True(t, res.IsError)
	assert.Contains(t, text(t, res), "Service unavailable:")
}

// A tool call ends within CallTimeout whatever the backend does.
func TestCallTimeoutBoundsEveryCall(t *testing.T) {
	cs := connect(t, mcp.NewServer(blockingBackend{}, mcp.Options{CallTimeout: 50 * time.Millisecond}))
	start := time.Now()
	res := call(t, cs, mcp.ToolGetIncident, map[string]any{"id": 1})
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.True(t, res.IsError)
	assert.Contains(t, text(t, res), "Service unavailable")
}

// bagOfWords embeds texts as testkit's fake model does: texts sharing words are near.
type bagOfWords struct{}

func (bagOfWords) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = testkit.BagOfWords(t, domain.EmbeddingDimensions)
	}
	return out, nil
}

// A text query is answered by the app's semantic search with the embedder's vector for
// that text: the same incidents as that vector gives, through Service and Remote alike.
func TestTextQueriesFindWhatTheTextsVectorFinds(t *testing.T) {
	svc := app.NewService(fixtureRepo(), func() time.Time { return porttest.FixtureNow }, app.NewCursorCodec([]byte("test")),
		app.WithEmbedder(bagOfWords{}))
	query := "pods OOMKilled after a deploy"
	args := map[string]any{"text": query, "threshold": 0, "limit": 5}
	local := connect(t, mcp.NewServer(mcp.NewService(svc), mcp.Options{}))
	got := call(t, local, mcp.ToolFindSimilar, args)
	require.False(t, got.IsError, text(t, got))

	threshold, limit := 0.0, 5
	var vector []float64
	for _, x := range testkit.BagOfWords(query, domain.EmbeddingDimensions) {
		vector = append(vector, float64(x))
	}
	want, _, err := svc.SemanticSearch(t.Context(), app.SemanticRequest{Embedding: vector, Threshold: &threshold, Limit: &limit})
	require.NoError(t, err)
	require.NotEmpty(t, want.Incidents)
	var wantIDs, gotIDs []int64
	for _, f := range want.Incidents {
		wantIDs = append(wantIDs, f.Incident.ID)
	}
	for _, f := range structured(t, got)["incidents"].([]any) {
		gotIDs = append(gotIDs, int64(f.(map[string]any)["id"].(float64)))
	}
	assert.Equal(t, wantIDs, gotIDs)

	api := httptest.NewServer(httpapi.NewServer(svc, nil, nil, httpapi.Config{}))
	t.Cleanup(api.Close)
	c, err := client.New(api.URL, client.WithHTTPClient(api.Client()))
	require.NoError(t, err)
	remote := connect(t, mcp.NewServer(mcp.NewRemote(c), mcp.Options{}))
	assert.Equal(t, structured(t, got), structured(t, call(t, remote, mcp.ToolFindSimilar, args)))
}

// Without an embedder, a text query is a tool error saying what to configure, from
// the app (Service) or the service's problem document (Remote).
func TestTextQueriesWithoutAnEmbedderSayWhatIsMissing(t *testing.T) {
	for name, cs := range map[string]*sdk.ClientSession{
		"service": serviceSession(t, mcp.Options{}),
		"remote":  connect(t, mcp.NewServer(remoteSession(t), mcp.Options{})),
	} {
		res := call(t, cs, mcp.ToolFindSimilar, map[string]any{"text": "pods OOMKilled"})
		assert.True(t, res.IsError, name)
		assert.Contains(t, text(t, res), "set embedder_url", name)
	}
}

// Service.SemanticSearch, what text queries go through, carries the tool's filters and
// bounds to the app's semantic search.
func TestServiceSemanticSearchTakesTheToolsArguments(t *testing.T) {
	b := mcp.NewService(fixtureService(fixtureRepo()))
	limit, threshold := 2, 0.5
	req := mcp.SimilarInput{Filters: mcp.Filters{Namespace: []string{"production"}}, Limit: &limit, Threshold: &threshold}.SemanticRequest()
	for _, x := range porttest.FamilyVector(porttest.FamilyMemory) {
		req.Embedding = append(req.Embedding, float64(x))
	}
	res, err := b.SemanticSearch(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Limit)
	require.Len(t, res.Incidents, 2)
	for _, inc := range res.Incidents {
		assert.Equal(t, "production", *inc.Namespace)
		assert.GreaterOrEqual(t, inc.Similarity, 0.5)
	}
	limit = 0
	_, err = b.SemanticSearch(t.Context(), mcp.SimilarInput{Limit: &limit}.SemanticRequest())
	assert.ErrorContains(t, mcp.Describe(err), "Invalid argument: embedding: is required, or query: give a text (query) or a vector of 384 numbers (embedding); limit: must be between 1 and 50")
}
