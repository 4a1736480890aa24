package apptest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// near is an expected similar incident of the historical context.
type near struct {
	id         int64
	outcome    app.Outcome
	similarity float64
	ago        time.Duration
}

type historical struct {
	rates    []app.HistoricalRate
	similar  []near
	patterns map[string]string
}

func testHistorical(t *testing.T, svc *app.Service) {
	const h, d = time.Hour, 24 * time.Hour
	secs := func(s float64) *float64 { return &s }
	object := func(ns, kind, name string) app.Params {
		return app.Params{"namespace": {ns}, "targetType": {kind}, "targetName": {name}}
	}
	with := func(p app.Params, k, v string) app.Params { p[k] = []string{v}; return p }

	// shop/Deployment/api over 30 days: 1, 2, 3, 5, 6, 7 (8 is 40 days old).
	apiRates := []app.HistoricalRate{
		{ActionType: "scale_deployment", Percent: 66.7, TotalAttempts: 3, AvgDurationSeconds: secs(126.667)}, // 3 rb, 5 and 6 ok; (200+80+100)/3 s
		{ActionType: "restart_pod", Percent: 0, TotalAttempts: 2, AvgDurationSeconds: secs(75)},              // 1 and 2 failed; (90+60)/2 s
		{ActionType: "increase_cpu_limit", Percent: 0, TotalAttempts: 1},                                     // 7 pending: nothing finished, no duration
	}
	apiPatterns := map[string]string{
		"environment":            "5 of 6 incidents in the last 30 days were in production, 1 in staging.",
		"cluster":                "5 of 6 incidents in the last 30 days were on cluster prod-1, 1 on cluster staging-1.",
		"most_frequent_alert":    "HighMemoryUsage is its most frequent alert: 3 of 6 incidents in the last 30 days.",
		"most_successful_action": "scale_deployment fixed it most often: 2 of 3 finished attempts in the last 30 days succeeded.",
	}
	// Nearest to incident 2 (the newest of the object with an embedding; 3 has none) on
	// other objects: 1, 5 and 6 are on the object itself; 9 (another namespace) and 23
	// (another kind) are not.
	apiSimilar := []near{
		{9, app.OutcomeSuccess, 0.97, 5 * d}, {23, app.OutcomeSuccess, 0.96, 18 * d}, {10, app.OutcomeSuccess, 0.95, 6 * d},
		{14, app.OutcomeSuccess, 0.92, 10 * d}, {11, app.OutcomeSuccess, 0.90, 7 * d}, {16, app.OutcomeSuccess, 0.88, 12 * d},
		{18, app.OutcomeInProgress, 0.86, 1 * h}, {12, app.OutcomeFailure, 0.85, 8 * d}, {13, app.OutcomeSuccess, 0.80, 9 * d},
		{21, app.OutcomeSuccess, 0.78, 16 * d},
	}
	tests := []struct {
		name   string
		params app.Params
		want   historical
	}{
		{"an object's last 30 days", object("shop", "deployment", "api"), historical{apiRates, apiSimilar, apiPatterns}},
		{"any case of the kind; includeEmbeddings=false leaves the similar incidents out",
			with(object("shop", "DEPLOYMENT", "api"), "includeEmbeddings", "false"), historical{apiRates, []near{}, apiPatterns}},
		{"hours", with(object("shop", "Deployment", "api"), "timeRange", "12h"), historical{
			rates: []app.HistoricalRate{
				{ActionType: "restart_pod", Percent: 0, TotalAttempts: 2, AvgDurationSeconds: secs(75)},
				{ActionType: "scale_deployment", Percent: 0, TotalAttempts: 1, AvgDurationSeconds: secs(200)},
			},
			similar: apiSimilar,
			patterns: map[string]string{
				"environment":            "All 3 incidents in the last 12 hours were in production.",
				"cluster":                "All 3 incidents in the last 12 hours were on cluster prod-1.",
				"most_frequent_alert":    "HighMemoryUsage raised all 3 incidents in the last 12 hours.",
				"most_successful_action": "No remediation succeeded in the last 12 hours.",
			},
		}},
		{"history older than 30 days, asked for 90", with(object("shop", "Deployment", "legacy"), "timeRange", "90d"), historical{
			rates:   []app.HistoricalRate{{ActionType: "restart_pod", Percent: 100, TotalAttempts: 1, AvgDurationSeconds: secs(100)}},
			similar: []near{}, // 50 has no embedding
			patterns: map[string]string{
				"environment":            "Its only incident in the last 90 days was in production.",
				"cluster":                "Its only incident in the last 90 days was on cluster prod-1.",
				"most_frequent_alert":    "HighMemoryUsage raised its only incident in the last 90 days.",
				"most_successful_action": "restart_pod fixed it most often: its only finished attempt in the last 90 days succeeded.",
			},
		}},
		{"an empty namespace: the cluster-scoped object, not the one in namespace \"\"", object("", "Node", "worker-7"), historical{
			rates: []app.HistoricalRate{
				{ActionType: "cleanup_disk", Percent: 0, TotalAttempts: 1, AvgDurationSeconds: secs(180)},
				{ActionType: "cordon_drain_node", Percent: 100, TotalAttempts: 1, AvgDurationSeconds: secs(500)},
			},
			similar: []near{},
			patterns: map[string]string{
				"environment":            "Both incidents in the last 30 days were in production.",
				"cluster":                "Both incidents in the last 30 days were on cluster prod-1.",
				"most_frequent_alert":    "NodeDiskPressure raised both incidents in the last 30 days.",
				"most_successful_action": "cordon_drain_node fixed it most often: its only finished attempt in the last 30 days succeeded.",
			},
		}},
		{"a cluster-scoped object's similar incidents", object("", "node", "worker-3"), historical{
			rates: []app.HistoricalRate{{ActionType: "cordon_drain_node", Percent: 0, TotalAttempts: 1}},
			// From incident 18 (0.86·e0 + …): 2 is 0.86 similar, the others 0.86·s.
			similar: []near{
				{2, app.OutcomeFailure, 0.86, 2*h + 50*time.Minute}, {1, app.OutcomeFailure, 0.8428, 3 * h},
				{9, app.OutcomeSuccess, 0.8342, 5 * d}, {23, app.OutcomeSuccess, 0.8256, 18 * d},
				{10, app.OutcomeSuccess, 0.817, 6 * d}, {14, app.OutcomeSuccess, 0.7912, 10 * d},
				{11, app.OutcomeSuccess, 0.774, 7 * d}, {16, app.OutcomeSuccess, 0.7568, 12 * d},
				{12, app.OutcomeFailure, 0.731, 8 * d}, {13, app.OutcomeSuccess, 0.688, 9 * d},
			},
			patterns: map[string]string{
				"environment":            "Its only incident in the last 30 days was in production.",
				"cluster":                "Its only incident in the last 30 days was on cluster prod-1.",
				"most_frequent_alert":    "NodeMemoryPressure raised its only incident in the last 30 days.",
				"most_successful_action": "No remediation succeeded in the last 30 days.",
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := svc.HistoricalContext(t.Context(), tt.params)
			require.NoError(t, err)
			assertHistorical(t, tt.want, got)
		})
	}

	notFound := []struct {
		name   string
		params app.Params
	}{
		{"history only outside the range", object("shop", "Deployment", "legacy")},
		{"nothing in the last day", with(object("", "Node", "worker-7"), "timeRange", "1d")},
		{"an object without history", object("shop", "Deployment", "nope")},
		{"the namespace must match", object("shop-canary", "StatefulSet", "api")},
	}
	for _, tt := range notFound {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := svc.HistoricalContext(t.Context(), tt.params)
			assert.ErrorIs(t, err, domain.ErrNotFound)
		})
	}
}

func assertHistorical(t *testing.T, want historical, got app.HistoricalContext) {
	t.Helper()
	assert.Equal(t, want.rates, got.SuccessRates)
	assert.Equal(t, want.patterns, got.Patterns)
	gotIDs := make([]int64, 0, len(got.SimilarIncidents))
	wantIDs := make([]int64, 0, len(want.similar))
	for _, n := range want.similar {
		wantIDs = append(wantIDs, n.id)
	}
	for _, g := range got.SimilarIncidents {
		gotIDs = append(gotIDs, g.ID)
	}
	require.Equal(t, wantIDs, gotIDs)
	for i, g := range got.SimilarIncidents {
		w := want.similar[i]
		assert.Equal(t, w.outcome, g.Outcome, "incident %d", g.ID)
		assert.InDelta(t, w.similarity, g.Similarity, similarityDelta, "incident %d", g.ID)
		assert.True(t, Now.Add(-w.ago).Equal(g.StartTime), "incident %d starts %v", g.ID, g.StartTime)
	}
}
