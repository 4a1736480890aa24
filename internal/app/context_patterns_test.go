package app

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestPatterns(t *testing.T) {
	g := func(alert, action, status string, env, cluster *string, n int64) domain.Group {
		return domain.Group{Key: domain.GroupKey{Name: alert, ActionType: action, Status: &status,
			Environment: env, ClusterName: cluster}, Count: n}
	}
	tests := []struct {
		name   string
		groups []domain.Group
		want   map[string]string
	}{
		{"rows written before migration 008 have no environment or cluster", []domain.Group{
			g("PodCrashLoop", "restart_pod", "completed", ptr("production"), ptr("c1"), 2),
			g("PodCrashLoop", "restart_pod", "failed", nil, nil, 1),
		}, map[string]string{
			"environment":            "2 of 3 incidents in the last 7 days were in production, 1 in an unrecorded environment.",
			"cluster":                "2 of 3 incidents in the last 7 days were on cluster c1, 1 on an unrecorded cluster.",
			"most_frequent_alert":    "PodCrashLoop raised all 3 incidents in the last 7 days.",
			"most_successful_action": "restart_pod fixed it most often: 2 of 3 finished attempts in the last 7 days succeeded.",
		}},
		{"ties: alerts by name; actions by successes, then rate, then name", []domain.Group{
			g("B", "scale", "completed", nil, nil, 2),
			g("B", "scale", "failed", nil, nil, 1),
			g("A", "rollback", "completed", nil, nil, 2),
			g("A", "restart", "completed", nil, nil, 2),
			g("C", "restart", "executing", nil, nil, 3),
		}, map[string]string{
			"environment":            "All 10 incidents in the last 7 days were in an unrecorded environment.",
			"cluster":                "All 10 incidents in the last 7 days were on an unrecorded cluster.",
			"most_frequent_alert":    "A is its most frequent alert: 4 of 10 incidents in the last 7 days.",
			"most_successful_action": "restart fixed it most often: 2 of 2 finished attempts in the last 7 days succeeded.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, patterns(tt.groups, "7 days"))
		})
	}
}
