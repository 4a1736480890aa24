package client_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
)

// everyFilter sets every filter.
var everyFilter = client.Filters{
	Namespace: []string{"checkout"}, ClusterName: []string{"prod"}, Environment: []string{"production"},
	ActionType: []string{"restart_pod"}, Severity: []string{"critical"}, Phase: []string{"failed"},
	Status: []string{"rolled-back"}, Name: []string{"HighMemoryUsage"}, AlertFingerprint: []string{"7ddf6f50493d07c5"},
	Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
}

// fullCalls call each method with every option set, so that its request carries every
// parameter the client can send.
var fullCalls = map[string]func(ctx context.Context, c *client.Client) error{
	"ListIncidents": func(ctx context.Context, c *client.Client) error {
		_, err := c.ListIncidents(ctx, client.ListOptions{Filters: everyFilter, Limit: 5, Offset: 5, Cursor: "next", IncludeEmbedding: true})
		return err
	},
	"GetIncident": func(ctx context.Context, c *client.Client) error {
		_, err := c.GetIncident(ctx, 7, client.GetOptions{IncludeEmbedding: true})
		return err
	},
	"SimilarIncidents": func(ctx context.Context, c *client.Client) error {
		_, err := c.SimilarIncidents(ctx, 7, client.SimilarOptions{Filters: everyFilter, Limit: 5, Threshold: new(0.5), IncludeEmbedding: true})
		return err
	},
	"SemanticSearch": func(ctx context.Context, c *client.Client) error {
		_, err := c.SemanticSearch(ctx, client.SemanticSearchRequest{Embedding: make([]float32, 384), Query: "x", Limit: 5, Threshold: new(0.0), Filters: everyFilter})
		return err
	},
	"SuccessRate": func(ctx context.Context, c *client.Client) error {
		_, err := c.SuccessRate(ctx, everyFilter)
		return err
	},
	"NamespaceCounts": func(ctx context.Context, c *client.Client) error {
		_, err := c.NamespaceCounts(ctx, everyFilter)
		return err
	},
	"SeverityCounts": func(ctx context.Context, c *client.Client) error {
		_, err := c.SeverityCounts(ctx, everyFilter)
		return err
	},
	"Trend": func(ctx context.Context, c *client.Client) error {
		_, err := c.Trend(ctx, client.TrendOptions{Filters: everyFilter, Days: 7})
		return err
	},
	"RecoveryContext": func(ctx context.Context, c *client.Client) error {
		_, err := c.RecoveryContext(ctx, "a/b c", client.RecoveryOptions{Limit: 5, Threshold: new(0.5), MinSamples: 2})
		return err
	},
	"HistoricalContext": func(ctx context.Context, c *client.Client) error {
		_, err := c.HistoricalContext(ctx, client.HistoricalQuery{
			Namespace: "checkout", TargetType: "deployment", TargetName: "checkout-api",
			TimeRange: 36 * time.Hour, SignalType: "prometheus", WithoutSimilar: true,
		})
		return err
	},
	"Health": func(ctx context.Context, c *client.Client) error {
		_, err := c.Health(ctx)
		return err
	},
	"Ready": func(ctx context.Context, c *client.Client) error {
		_, err := c.Ready(ctx, client.ReadyOptions{Verbose: true})
		return err
	},
}

// bodyAliases are request body members the client does not send, and why.
var bodyAliases = map[string]string{
	"query_embedding": "upstream's alias of embedding; the client sends embedding",
}

// TestEveryParameterCanBeSent fails when an operation takes a query parameter or a body
// member the client's request types cannot send, or when a method sends one the
// operation does not take (the service refuses unknown parameters), to another path or
// with another method.
func TestEveryParameterCanBeSent(t *testing.T) {
	doc := loadSpec(t)
	byID := map[string]op{}
	for _, o := range doc.operations() {
		byID[o.id] = o
	}
	for _, o := range doc.operations() {
		name, ok := operations[o.id]
		if !ok {
			continue
		}
		t.Run(o.id, func(t *testing.T) {
			call, ok := fullCalls[name]
			require.True(t, ok, "fullCalls has no call of %s", name)
			rec := &recorder{}
			c, err := client.New("http://contextapi.invalid", client.WithHTTPClient(&http.Client{Transport: rec}))
			require.NoError(t, err)
			require.NoError(t, call(context.Background(), c))
			require.Len(t, rec.requests, 1)
			req := rec.requests[0]

			target := o
			if canonical, ok := aliases[o.id]; ok {
				target = byID[canonical] // the client calls the operation under its own name
			}
			assert.Equal(t, target.method, req.Method)
			assert.Regexp(t, pathPattern(target.path), req.URL.EscapedPath())
			var want []string
			for _, p := range asSlice(o.node["parameters"]) {
				if p := doc.resolve(p); p["in"] == "query" {
					want = append(want, p["name"].(string))
				}
			}
			var sent []string
			for k := range req.URL.Query() {
				sent = append(sent, k)
			}
			slices.Sort(want)
			slices.Sort(sent)
			assert.Equal(t, want, sent, "query parameters")

			if rb := doc.resolve(o.node["requestBody"]); rb != nil {
				schema := doc.resolve(rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"])
				var body map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(req.body, &body))
				assertMembers(t, doc.properties(schema), body, "body")
				var filters map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(body["filters"], &filters))
				assertMembers(t, doc.properties(doc.resolve(doc.properties(schema)["filters"])), filters, "filters")
			}
		})
	}
	for name := range fullCalls {
		assert.Contains(t, slices.Collect(maps.Values(operations)), name, "fullCalls names %s, which performs no operation", name)
	}
}

// assertMembers checks that a sent JSON object has exactly the schema's members, but
// for the aliases.
func assertMembers(t *testing.T, props map[string]any, sent map[string]json.RawMessage, what string) {
	t.Helper()
	var want, got []string
	for k := range props {
		if _, alias := bodyAliases[k]; !alias {
			want = append(want, k)
		}
	}
	for k := range sent {
		got = append(got, k)
	}
	slices.Sort(want)
	slices.Sort(got)
	assert.Equal(t, want, got, what+" members")
}

// pathPattern matches the paths of a path template: {id} is one escaped segment.
func pathPattern(template string) *regexp.Regexp {
	quoted := regexp.QuoteMeta(template)
	return regexp.MustCompile("^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(quoted, `[^/]+`) + "$")
}

// recorder answers every request with an empty JSON object, remembering it.
type recorder struct {
	mu       sync.Mutex
	requests []recordedRequest
}

type recordedRequest struct {
	*http.Request
	body []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	r.requests = append(r.requests, recordedRequest{req, body})
	r.mu.Unlock()
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader("{}")), Request: req,
	}, nil
}

// A remediation request id is one path segment, whatever it holds.
func TestRemediationRequestIDIsOneSegment(t *testing.T) {
	rec := &recorder{}
	c, err := client.New("http://contextapi.invalid/prefix/", client.WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)
	_, err = c.RecoveryContext(context.Background(), "a/b c?d#e%f", client.RecoveryOptions{})
	require.NoError(t, err)
	u := rec.requests[0].URL
	assert.Equal(t, "/prefix/api/v1/context/remediation/a%2Fb%20c%3Fd%23e%25f", u.EscapedPath())
	assert.Empty(t, u.RawQuery)
}
