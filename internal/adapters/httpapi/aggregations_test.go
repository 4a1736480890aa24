package httpapi

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The aggregations over the contract fixture, rendered exactly as docs/api.md §3.4 shapes
// them (member order, null rates and averages, a null namespace group, zero days).
func TestAggregations(t *testing.T) {
	tests := []struct {
		name   string
		target string
		want   string
	}{
		{"success rate", "/api/v1/aggregations/success-rate",
			`{"total":25,"succeeded":14,"failed":5,"in_progress":4,"success_rate":0.7368421052631579,"by_action_type":[` +
				`{"action_type":"scale_deployment","total":7,"succeeded":7,"failed":0,"success_rate":1,"avg_duration_ms":278571.4285714286},` +
				`{"action_type":"restart_pod","total":5,"succeeded":4,"failed":1,"success_rate":0.8,"avg_duration_ms":142000},` +
				`{"action_type":"rollback_deployment","total":3,"succeeded":0,"failed":3,"success_rate":0,"avg_duration_ms":140000},` +
				`{"action_type":"cleanup_disk","total":2,"succeeded":1,"failed":0,"success_rate":1,"avg_duration_ms":90000},` +
				`{"action_type":"cordon_drain_node","total":2,"succeeded":0,"failed":0,"success_rate":null,"avg_duration_ms":null},` +
				`{"action_type":"adjust_rate_limit","total":1,"succeeded":1,"failed":0,"success_rate":1,"avg_duration_ms":180000},` +
				`{"action_type":"create_persistent_volume","total":1,"succeeded":0,"failed":0,"success_rate":null,"avg_duration_ms":null},` +
				`{"action_type":"increase_memory_limit","total":1,"succeeded":0,"failed":0,"success_rate":null,"avg_duration_ms":null},` +
				`{"action_type":"renew_certificate","total":1,"succeeded":0,"failed":0,"success_rate":null,"avg_duration_ms":null},` +
				`{"action_type":"restart_service","total":1,"succeeded":0,"failed":1,"success_rate":0,"avg_duration_ms":45000},` +
				`{"action_type":"update_image_pull_secret","total":1,"succeeded":1,"failed":0,"success_rate":1,"avg_duration_ms":120000}]}`},
		{"success rate of nothing", "/api/v1/aggregations/success-rate?namespace=nowhere",
			`{"total":0,"succeeded":0,"failed":0,"in_progress":0,"success_rate":null,"by_action_type":[]}`},
		{"success rate filtered", "/api/v1/aggregations/success-rate?alert_fingerprint=fp-004",
			`{"total":3,"succeeded":0,"failed":3,"in_progress":0,"success_rate":0,"by_action_type":[` +
				`{"action_type":"rollback_deployment","total":3,"succeeded":0,"failed":3,"success_rate":0,"avg_duration_ms":140000}]}`},
		{"namespaces", "/api/v1/aggregations/namespaces",
			`{"groups":[{"namespace":"production","count":15,"succeeded":7,"failed":4},` +
				`{"namespace":"staging","count":3,"succeeded":3,"failed":0},` +
				`{"namespace":null,"count":1,"succeeded":0,"failed":0},` +
				`{"namespace":"development","count":1,"succeeded":1,"failed":0},` +
				`{"namespace":"logging","count":1,"succeeded":1,"failed":0},` +
				`{"namespace":"monitoring","count":1,"succeeded":1,"failed":0},` +
				`{"namespace":"security","count":1,"succeeded":0,"failed":0},` +
				`{"namespace":"test","count":1,"succeeded":0,"failed":1},` +
				`{"namespace":"命名空间","count":1,"succeeded":1,"failed":0}],"count":9}`},
		{"namespaces of nothing", "/api/v1/aggregations/namespaces?namespace=nowhere", `{"groups":[],"count":0}`},
		{"severity", "/api/v1/aggregations/severity", `{"distribution":{"critical":13,"info":2,"warning":10}}`},
		{"severity several values", "/api/v1/aggregations/severity?severity=info&severity=warning&environment=production",
			`{"distribution":{"warning":7}}`},
		{"severity of nothing", "/api/v1/aggregations/severity?namespace=nowhere", `{"distribution":{}}`},
		{"trend", "/api/v1/aggregations/trend?days=3",
			`{"days":3,"trend":[{"date":"2026-06-13","count":1},{"date":"2026-06-14","count":1},{"date":"2026-06-15","count":12}]}`},
		{"trend with zero days", "/api/v1/aggregations/trend?days=5&namespace=staging",
			`{"days":5,"trend":[{"date":"2026-06-11","count":0},{"date":"2026-06-12","count":0},` +
				`{"date":"2026-06-13","count":0},{"date":"2026-06-14","count":0},{"date":"2026-06-15","count":2}]}`},
	}
	env := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.get(t, tt.target)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Equal(t, tt.want, rec.Body.String())
		})
	}
}

func TestTrendDays(t *testing.T) {
	env := newEnv(t)
	type trendBody struct {
		Days  int `json:"days"`
		Trend []struct {
			Date  string `json:"date"`
			Count int    `json:"count"`
		} `json:"trend"`
	}
	for days, first := range map[string]string{"": "2026-05-17", "1": "2026-06-15", "365": "2025-06-16"} {
		target := "/api/v1/aggregations/trend"
		if days != "" {
			target += "?days=" + days
		}
		body := decode[trendBody](t, env.get(t, target))
		require.NotEmpty(t, body.Trend)
		assert.Len(t, body.Trend, body.Days, "one point per day")
		assert.Equal(t, first, body.Trend[0].Date, "oldest first, %q days", days)
		assert.Equal(t, "2026-06-15", body.Trend[len(body.Trend)-1].Date, "ending today")
	}
}
