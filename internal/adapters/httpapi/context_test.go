package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const typeNotFound = "urn:contextapi:problem:not-found"

// recoveryBody is a decoded recovery context.
type recoveryBody struct {
	Incident         map[string]any   `json:"incident"`
	PreviousAttempts []map[string]any `json:"previous_attempts"`
	SimilarIncidents []map[string]any `json:"similar_incidents"`
	ActionOutcomes   []map[string]any `json:"action_outcomes"`
	SuggestedActions []map[string]any `json:"suggested_actions"`
}

func TestRecoveryContext(t *testing.T) {
	env := newEnv(t)
	t.Run("a remediation request retried: the newest trace, the alert's other attempts", func(t *testing.T) {
		// test-rr-017 has two traces, 17 (rolled-back) and the older 25 (failed); fp-004
		// also covers 4 (failed). Every action tried failed, and rollouts are a family of
		// their own, so nothing is 0.7 similar once the alert's traces are out.
		rec := env.get(t, "/api/v1/context/remediation/test-rr-017")
		assert.JSONEq(t, `{"action_type":"rollback_deployment","total":2,"succeeded":0,"failed":2,"success_rate":0}`,
			mustJSON(t, decode[map[string]any](t, rec)["action_outcomes"].([]any)[0]))
		body := decode[recoveryBody](t, rec)
		assert.EqualValues(t, 17, body.Incident["id"])
		assert.NotContains(t, body.Incident, "embedding")
		assert.Equal(t, []int64{4, 25}, idsOf(body.PreviousAttempts))
		assert.Empty(t, body.SimilarIncidents)
		assert.Len(t, body.ActionOutcomes, 1)
		assert.Equal(t, []map[string]any{}, body.SuggestedActions)
		assert.Contains(t, rec.Body.String(), `"similar_incidents":[],`, "an empty list, not null")
	})
	t.Run("similar incidents exclude the alert's traces before the limit", func(t *testing.T) {
		// From 17's vector the deploy family (4, 17, 25) is all the alert's; the nearest
		// others are ~0.19 similar, so threshold 0.1 and limit 1 must still find one.
		body := decode[recoveryBody](t, env.get(t, "/api/v1/context/remediation/test-rr-017?threshold=0.1&limit=1&min_samples=1"))
		require.Len(t, body.SimilarIncidents, 1)
		assert.NotContains(t, []int64{4, 17, 25}, idsOf(body.SimilarIncidents)[0])
		assert.InDelta(t, 0.19, body.SimilarIncidents[0]["similarity"], 0.01)
	})
	t.Run("a cluster-scoped incident without fingerprint or embedding", func(t *testing.T) {
		body := decode[recoveryBody](t, env.get(t, "/api/v1/context/remediation/test-rr-016?min_samples=1"))
		assert.EqualValues(t, 16, body.Incident["id"])
		assert.Empty(t, body.PreviousAttempts)
		assert.Empty(t, body.SimilarIncidents)
		assert.Empty(t, body.ActionOutcomes, "no previous attempt, no similar incident: no outcome")
		assert.Empty(t, body.SuggestedActions)
	})
	t.Run("ids are path segments, percent-decoded", func(t *testing.T) {
		requireProblem(t, env.get(t, "/api/v1/context/remediation/no-such-request"), http.StatusNotFound, typeNotFound)
		requireProblem(t, env.do(t, rawGet(t, "/api/v1/context/remediation/test-rr%2F017")), http.StatusNotFound, typeNotFound)
		body := decode[recoveryBody](t, env.do(t, rawGet(t, "/api/v1/context/remediation/test%2Drr%2D017")))
		assert.EqualValues(t, 17, body.Incident["id"])
	})
}

func TestRecoveryContextRejects(t *testing.T) {
	runBadRequests(t, newEnv(t), []badRequest{
		{"limit zero", "/api/v1/context/remediation/test-rr-017?limit=0", []string{"limit"}},
		{"limit above 50", "/api/v1/context/remediation/test-rr-017?limit=51", []string{"limit"}},
		{"threshold above 1", "/api/v1/context/remediation/test-rr-017?threshold=2", []string{"threshold"}},
		{"min_samples zero", "/api/v1/context/remediation/test-rr-017?min_samples=0", []string{"min_samples"}},
		{"min_samples above 1000", "/api/v1/context/remediation/test-rr-017?min_samples=1001", []string{"min_samples"}},
		{"every bad parameter at once", "/api/v1/context/remediation/test-rr-017?limit=x&threshold=-1&min_samples=0&sort=asc",
			[]string{"limit", "threshold", "min_samples", "sort"}},
		{"an id over 256 bytes", "/api/v1/context/remediation/" + strings.Repeat("r", 257), []string{"remediation_request_id"}},
		{"an id with NUL", "/api/v1/context/remediation/rr%00", []string{"remediation_request_id"}},
		{"an id not UTF-8", "/api/v1/context/remediation/rr%FF", []string{"remediation_request_id"}},
	})
	t.Run("an escaped path that does not decode", func(t *testing.T) {
		// net/http refuses such a request line; a proxy or another router might not.
		req := httptest.NewRequest(http.MethodGet, "/api/v1/context/remediation/rr", nil)
		req.URL.RawPath = "/api/v1/context/remediation/rr%zz"
		p := requireProblem(t, newEnv(t).do(t, req), http.StatusBadRequest, typeInvalidArgument)
		assert.Equal(t, []string{"remediation_request_id"}, p.fields())
	})
}

// historicalBody is a decoded historical context.
type historicalBody struct {
	Available           bool                      `json:"available"`
	SuccessRates        map[string]map[string]any `json:"success_rates"`
	SimilarIncidents    []map[string]any          `json:"similar_incidents"`
	EnvironmentPatterns map[string]string         `json:"environment_patterns"`
}

func TestHistoricalContext(t *testing.T) {
	env := newEnv(t)
	webapp := "/api/v1/context/historical?namespace=production&targetType=deployment&targetName=webapp"
	t.Run("an object's last 30 days", func(t *testing.T) {
		// webapp: 1 (−2h), 11 (−1d), 12 (−2d), 13 (−3d) in range, all scale_deployment
		// completed (300, 300, 310, 320 s); 21 is from 2024.
		rec := env.get(t, webapp+"&timeRange=30d")
		assert.Contains(t, rec.Body.String(), `"success_rates":{"scale_deployment":{"success_rate":100.0,"total_attempts":4,"avg_duration":307.5}}`)
		body := decode[historicalBody](t, rec)
		assert.True(t, body.Available)
		assert.Equal(t, map[string]string{
			"environment":            "All 4 incidents in the last 30 days were in production.",
			"cluster":                "All 4 incidents in the last 30 days were on cluster prod-us-east-1.",
			"most_frequent_alert":    "HighCPUUsage is its most frequent alert: 2 of 4 incidents in the last 30 days.",
			"most_successful_action": "scale_deployment fixed it most often: 4 of 4 finished attempts in the last 30 days succeeded.",
		}, body.EnvironmentPatterns, "HighCPUUsage (11, 12) and HighMemoryUsage (1, 13) tie: by name")
		// From 1 (memory family, scale 0.1) the family's 13 and 21 are on webapp itself;
		// 23 (rocket-0, scale 0.3) is 1.25/√(1.26·1.34) similar; the rest below 0.5.
		require.Len(t, body.SimilarIncidents, 1)
		got := body.SimilarIncidents[0]
		assert.InDelta(t, 0.96199, got["similarity_score"], 1e-4)
		delete(got, "similarity_score")
		assert.Equal(t, map[string]any{"incident_id": "23", "remediation_action": "restart_pod", "outcome": "success",
			"timestamp": "2026-06-01T12:34:56.123456Z"}, got)
	})
	t.Run("includeEmbeddings=false and the default range", func(t *testing.T) {
		rec := env.get(t, strings.Replace(webapp, "deployment", "Deployment", 1)+"&includeEmbeddings=false&signalType=prometheus")
		assert.Contains(t, rec.Body.String(), `"similar_incidents":[]`)
		assert.EqualValues(t, 4, decode[historicalBody](t, rec).SuccessRates["scale_deployment"]["total_attempts"])
	})
	t.Run("nothing finished: 0.0, no duration: null", func(t *testing.T) {
		rec := env.get(t, "/api/v1/context/historical?namespace=production&targetType=Node&targetName=worker-03&timeRange=1d")
		assert.Contains(t, rec.Body.String(), `"success_rates":{"cordon_drain_node":{"success_rate":0.0,"total_attempts":1,"avg_duration":null}}`)
	})
	t.Run("a cluster-scoped object: an empty namespace", func(t *testing.T) {
		body := decode[historicalBody](t, env.get(t, "/api/v1/context/historical?namespace=&targetType=node&targetName=worker-05&timeRange=9d"))
		assert.EqualValues(t, 1, body.SuccessRates["cordon_drain_node"]["total_attempts"])
		assert.Empty(t, body.SimilarIncidents, "16 has no embedding")
	})
	t.Run("no history in the range: 404", func(t *testing.T) {
		requireProblem(t, env.get(t, webapp+"&timeRange=1h"), http.StatusNotFound, typeNotFound)
		requireProblem(t, env.get(t, "/api/v1/context/historical?namespace=&targetType=node&targetName=worker-05&timeRange=7d"),
			http.StatusNotFound, typeNotFound)
	})
}

func TestHistoricalContextRejects(t *testing.T) {
	const object = "namespace=production&targetType=deployment&targetName=webapp"
	runBadRequests(t, newEnv(t), []badRequest{
		{"nothing given", "/api/v1/context/historical", []string{"namespace", "targetType", "targetName"}},
		{"namespace missing", "/api/v1/context/historical?targetType=deployment&targetName=webapp", []string{"namespace"}},
		{"targetType missing", "/api/v1/context/historical?namespace=production&targetName=webapp", []string{"targetType"}},
		{"targetName missing", "/api/v1/context/historical?namespace=production&targetType=deployment", []string{"targetName"}},
		{"targetName empty", "/api/v1/context/historical?namespace=production&targetType=deployment&targetName=", []string{"targetName"}},
		{"timeRange in weeks", "/api/v1/context/historical?" + object + "&timeRange=4w", []string{"timeRange"}},
		{"timeRange over a year", "/api/v1/context/historical?" + object + "&timeRange=366d", []string{"timeRange"}},
		{"includeEmbeddings other", "/api/v1/context/historical?" + object + "&includeEmbeddings=1", []string{"includeEmbeddings"}},
		{"snake_case", "/api/v1/context/historical?" + object + "&time_range=30d", []string{"time_range"}},
		{"a value with NUL", "/api/v1/context/historical?" + object + "&signalType=%00", []string{"signalType"}},
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
