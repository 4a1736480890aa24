package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// demoEnv serves the demo data set as of the test clock.
func demoEnv(t *testing.T) (*testEnv, map[int64]domain.IncidentEvent) {
	t.Helper()
	events := dataset.Demo(porttest.FixtureNow)
	byID := make(map[int64]domain.IncidentEvent, len(events))
	for _, e := range events {
		byID[e.ID] = e
	}
	return newEnvWith(t, memory.NewRepository(events), Config{}), byID
}

// TestHistoricalContextAsUpstreamsClientReadsIt drives the endpoint the way HolmesGPT-API's
// context_api_client.py does: the same parameters, 200 read as context and 404 as "no
// history", the same keys read with the same types, success_rate formatted with :.1f and
// similarity_score with :.2f. The object is the demo's Deployment checkout-api (story 8 of
// the dataset documentation): 12 incidents in the last 30 days.
func TestHistoricalContextAsUpstreamsClientReadsIt(t *testing.T) {
	env, byID := demoEnv(t)
	get := func(namespace, targetType, targetName string) (int, map[string]any) {
		q := url.Values{
			"namespace": {namespace}, "targetType": {targetType}, "targetName": {targetName},
			"timeRange": {"30d"}, "includeEmbeddings": {"true"},
		}
		rec := env.get(t, "/api/v1/context/historical?"+q.Encode())
		var data map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &data))
		return rec.Code, data
	}

	status, data := get("checkout", "deployment", "checkout-api")
	require.Equal(t, http.StatusOK, status, data)
	assert.Equal(t, true, data["available"])

	rates, ok := data["success_rates"].(map[string]any)
	require.True(t, ok, "success_rates is an object")
	formatted := map[string]string{}
	total := 0.0
	for action, v := range rates {
		r, ok := v.(map[string]any)
		require.True(t, ok, "%s: an object", action)
		rate, ok := r["success_rate"].(float64)
		require.True(t, ok, "%s: success_rate is a number", action)
		attempts, ok := r["total_attempts"].(float64)
		require.True(t, ok, "%s: total_attempts is a number", action)
		total += attempts
		avg := "None"
		if r["avg_duration"] != nil {
			secs, ok := r["avg_duration"].(float64)
			require.True(t, ok, "%s: avg_duration is a number or null", action)
			avg = strconv.FormatFloat(secs, 'f', -1, 64)
		}
		formatted[action] = fmt.Sprintf("%.1f%% of %v, %ss", rate, attempts, avg)
	}
	assert.EqualValues(t, 12, total)
	// From the stories: restart_pod 281, 282, 160 failed (94, 71.5, 58.9 s); scale_deployment
	// 285 rolled back, 339, 333, 245 completed (212.3, 84.3, 71.8, 96.1 s); rollback_deployment
	// 161, 215 (121.3, 134.7 s); 288, 306 and 179 one each.
	assert.Equal(t, map[string]string{
		"restart_pod":              "0.0% of 3, 74.8s",
		"scale_deployment":         "75.0% of 4, 116.125s",
		"rollback_deployment":      "100.0% of 2, 128s",
		"increase_memory_limit":    "100.0% of 1, 168.9s",
		"update_image_pull_secret": "100.0% of 1, 12.4s",
		"increase_cpu_limit":       "100.0% of 1, 148s",
	}, formatted)

	similar, ok := data["similar_incidents"].([]any)
	require.True(t, ok, "similar_incidents is an array")
	require.NotEmpty(t, similar)
	assert.LessOrEqual(t, len(similar), 10)
	for _, v := range similar {
		inc, ok := v.(map[string]any)
		require.True(t, ok)
		idText, ok := inc["incident_id"].(string)
		require.True(t, ok, "incident_id is a string")
		id, err := strconv.ParseInt(idText, 10, 64)
		require.NoError(t, err)
		assert.NotEqual(t, "checkout-api", byID[id].TargetName, "incident %d: only other objects", id)
		assert.Equal(t, byID[id].ActionType, inc["remediation_action"])
		assert.Contains(t, []any{"success", "failure", "in_progress"}, inc["outcome"])
		score, ok := inc["similarity_score"].(float64)
		require.True(t, ok, "similarity_score is a number")
		assert.GreaterOrEqual(t, score, 0.5)
		assert.LessOrEqual(t, score, 1.0)
		assert.Len(t, fmt.Sprintf("%.2f", score), 4)
		ts, ok := inc["timestamp"].(string)
		require.True(t, ok, "timestamp is a string")
		at, err := time.Parse(time.RFC3339, ts)
		require.NoError(t, err)
		assert.True(t, byID[id].StartTime.Equal(at))
	}

	patterns, ok := data["environment_patterns"].(map[string]any)
	require.True(t, ok, "environment_patterns is an object")
	assert.Equal(t, map[string]any{
		"environment":            "11 of 12 incidents in the last 30 days were in production, 1 in staging.",
		"cluster":                "10 of 12 incidents in the last 30 days were on cluster prod-us-east-1, 1 on cluster prod-eu-west-1, 1 on cluster staging-us-east-1.",
		"most_frequent_alert":    "HighMemoryUsage is its most frequent alert: 4 of 12 incidents in the last 30 days.",
		"most_successful_action": "scale_deployment fixed it most often: 3 of 4 finished attempts in the last 30 days succeeded.",
	}, patterns)

	// checkout-legacy's history is 38 days old and older: the client's "no history".
	status, data = get("checkout", "deployment", "checkout-legacy")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "urn:contextapi:problem:not-found", data["type"])
}

// TestRecoveryContextOnTheDemoData checks story 1 of the dataset documentation: checkout-api's
// memory alert, restarted twice in vain (281, 282) and scaled out in vain (285), was fixed
// by a bigger memory limit (288), as memory alerts on other objects were.
func TestRecoveryContextOnTheDemoData(t *testing.T) {
	env, _ := demoEnv(t)
	body := decode[recoveryBody](t, env.get(t, "/api/v1/context/remediation/"+dataset.StoryCheckoutRestart))
	assert.EqualValues(t, 282, body.Incident["id"], "the newest trace of the request")
	assert.Equal(t, []int64{288, 285, 281}, idsOf(body.PreviousAttempts))
	for _, id := range idsOf(body.SimilarIncidents) {
		assert.NotContains(t, []int64{281, 282, 285, 288}, id)
	}
	require.NotEmpty(t, body.SuggestedActions)
	assert.Equal(t, "increase_memory_limit", body.SuggestedActions[0]["action_type"])
	for _, s := range body.SuggestedActions {
		assert.NotContains(t, []any{"restart_pod", "scale_deployment"}, s["action_type"], "already failed for this alert")
	}
}
