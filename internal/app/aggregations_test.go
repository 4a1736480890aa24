package app

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func group(action, status string, count, durSum, durCount int64) domain.Group {
	return domain.Group{Key: domain.GroupKey{ActionType: action, Status: ptr(status)},
		Count: count, DurationSumMs: durSum, DurationCount: durCount}
}

func TestSuccessRate(t *testing.T) {
	repo := &recordingRepo{groups: []domain.Group{
		group("scale_deployment", "completed", 5, 1000, 4),
		group("scale_deployment", "failed", 1, 0, 0),
		group("restart_pod", "rolled-back", 2, 300, 1),
		group("restart_pod", "executing", 1, 0, 0),
		group("cordon_drain_node", "pending", 1, 0, 0),
		group("cordon_drain_node", "cancelled", 1, 0, 0),
		{Key: domain.GroupKey{ActionType: "cordon_drain_node"}, Count: 1}, // NULL status
	}}
	got, _, err := newTestService(repo).SuccessRate(context.Background(), Params{"namespace": {"prod"}})
	require.NoError(t, err)
	assert.Equal(t, []domain.Dimension{domain.DimActionType, domain.DimStatus}, repo.aggregates[0].GroupBy)
	assert.Equal(t, []string{"prod"}, repo.aggregates[0].Filter.Namespaces)

	assert.Equal(t, int64(12), got.Total)
	assert.Equal(t, int64(5), got.Succeeded)
	assert.Equal(t, int64(3), got.Failed)
	assert.Equal(t, int64(2), got.InProgress)
	require.NotNil(t, got.Rate)
	assert.InDelta(t, 5.0/8.0, *got.Rate, 1e-12)

	require.Len(t, got.ByActionType, 3)
	scale := got.ByActionType[0]
	assert.Equal(t, "scale_deployment", scale.ActionType, "largest total first")
	assert.InDelta(t, 5.0/6.0, *scale.Rate, 1e-12)
	assert.InDelta(t, 250.0, *scale.AvgDurationMs, 1e-12)
	assert.Equal(t, "restart_pod", got.ByActionType[2].ActionType, "ties ordered by name")
	assert.InDelta(t, 0.0, *got.ByActionType[2].Rate, 0)
	cordon := got.ByActionType[1]
	assert.Equal(t, "cordon_drain_node", cordon.ActionType)
	assert.Nil(t, cordon.Rate, "nothing finished")
	assert.Nil(t, cordon.AvgDurationMs, "no duration")
	assert.Equal(t, int64(3), cordon.Total)
}

func TestSuccessRateEmpty(t *testing.T) {
	got, _, err := newTestService(&recordingRepo{}).SuccessRate(context.Background(), nil)
	require.NoError(t, err)
	assert.Nil(t, got.Rate)
	assert.Equal(t, []domain.ActionTypeRate{}, got.ByActionType)
}

func TestNamespaces(t *testing.T) {
	ns := func(name *string, status string, n int64) domain.Group {
		return domain.Group{Key: domain.GroupKey{Namespace: name, Status: ptr(status)}, Count: n}
	}
	repo := &recordingRepo{groups: []domain.Group{
		ns(ptr("staging"), "completed", 2),
		ns(ptr("production"), "completed", 6),
		ns(ptr("production"), "failed", 2),
		ns(ptr("production"), "executing", 2),
		ns(nil, "rolled-back", 1),
		ns(nil, "completed", 1),
		ns(ptr("logging"), "completed", 1),
		ns(ptr("data"), "completed", 2),
	}}
	got, _, err := newTestService(repo).Namespaces(context.Background(), nil)
	require.NoError(t, err)
	want := []domain.NamespaceCount{
		{Namespace: ptr("production"), Count: 10, Succeeded: 6, Failed: 2},
		{Namespace: nil, Count: 2, Succeeded: 1, Failed: 1},
		{Namespace: ptr("data"), Count: 2, Succeeded: 2},
		{Namespace: ptr("staging"), Count: 2, Succeeded: 2},
		{Namespace: ptr("logging"), Count: 1, Succeeded: 1},
	}
	assert.Equal(t, want, got)
}

func TestSeverity(t *testing.T) {
	repo := &recordingRepo{groups: []domain.Group{
		{Key: domain.GroupKey{Severity: "warning"}, Count: 7},
		{Key: domain.GroupKey{Severity: "critical"}, Count: 7},
		{Key: domain.GroupKey{Severity: "info"}, Count: 1},
	}}
	got, _, err := newTestService(repo).Severity(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []domain.SeverityCount{{Severity: "critical", Count: 7}, {Severity: "info", Count: 1}, {Severity: "warning", Count: 7}}, got)
}

func TestTrendIsDenseOverUTCDays(t *testing.T) {
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC) // testNow's day
	repo := &recordingRepo{groups: []domain.Group{
		{Key: domain.GroupKey{Day: today}, Count: 4},
		{Key: domain.GroupKey{Day: today.AddDate(0, 0, -2)}, Count: 1},
	}}
	got, _, err := newTestService(repo).Trend(context.Background(), Params{"days": {"3"}})
	require.NoError(t, err)
	assert.Equal(t, 3, got.Days)
	assert.Equal(t, []domain.TrendPoint{
		{Day: today.AddDate(0, 0, -2), Count: 1},
		{Day: today.AddDate(0, 0, -1), Count: 0},
		{Day: today, Count: 4},
	}, got.Points)
	f := repo.aggregates[0].Filter
	assert.Equal(t, today.AddDate(0, 0, -2), *f.Since)
	assert.Equal(t, today.AddDate(0, 0, 1), *f.Until)
	assert.Equal(t, []domain.Dimension{domain.DimDay}, repo.aggregates[0].GroupBy)
}

func TestTrendNarrowsTheCallersWindow(t *testing.T) {
	repo := &recordingRepo{}
	svc := newTestService(repo)
	got, _, err := svc.Trend(context.Background(), Params{"since": {"2026-03-09T12:00:00Z"}})
	require.NoError(t, err)
	assert.Len(t, got.Points, 30)
	assert.Equal(t, time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC), *repo.aggregates[0].Filter.Since)

	// A window entirely before the trend's days needs no query at all.
	got, _, err = svc.Trend(context.Background(), Params{"days": {"2"}, "until": {"2026-01-01T00:00:00Z"}})
	require.NoError(t, err)
	assert.Len(t, repo.aggregates, 1)
	assert.Equal(t, []domain.TrendPoint{{Day: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)}, {Day: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}}, got.Points)
}
