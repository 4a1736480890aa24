package postgres

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// Scenario 04 (aggregations) and the list facts of docs/scenarios.md §1.4, through the app's
// use cases over the PostgreSQL repository, with the definitions of docs/api.md (§3.4):
// success is completed, failure failed or rolled-back, pending and executing are in
// progress and left out of rates.

func wantRate(succeeded, finished int) *float64 {
	r := float64(succeeded) / float64(finished)
	return &r
}

func wantAvg(sum, n int) *float64 {
	a := float64(sum) / float64(n)
	return &a
}

// 04 #1, #10, #16: overall 11 of 13 finished succeeded (15 in total, 2 in progress); per
// action type, total descending then name, with the average stored duration.
func TestScenario04SuccessRate(t *testing.T) {
	seed := openUpstreamSeed(t)
	got, _, err := seed.service().SuccessRate(t.Context(), app.Params{})
	require.NoError(t, err)
	assert.Equal(t, domain.SuccessRate{
		Total: 15, Succeeded: 11, Failed: 2, InProgress: 2, Rate: wantRate(11, 13),
		ByActionType: []domain.ActionTypeRate{
			{ActionType: "scale_deployment", Total: 5, Succeeded: 5, Rate: wantRate(5, 5),
				AvgDurationMs: wantAvg(300000+240000+300000+310000+320000, 5)},
			{ActionType: "restart_pod", Total: 3, Succeeded: 3, Rate: wantRate(3, 3), AvgDurationMs: wantAvg(180000+150000+200000, 3)},
			{ActionType: "adjust_rate_limit", Total: 1, Succeeded: 1, Rate: wantRate(1, 1), AvgDurationMs: wantAvg(180000, 1)},
			{ActionType: "cleanup_disk", Total: 1, Succeeded: 1, Rate: wantRate(1, 1), AvgDurationMs: wantAvg(120000, 1)},
			{ActionType: "cordon_drain_node", Total: 1, InProgress: 1},        // executing, no duration
			{ActionType: "create_persistent_volume", Total: 1, InProgress: 1}, // pending, no duration
			{ActionType: "restart_service", Total: 1, Failed: 1, Rate: wantRate(0, 1), AvgDurationMs: wantAvg(45000, 1)},
			{ActionType: "rollback_deployment", Total: 1, Failed: 1, Rate: wantRate(0, 1), AvgDurationMs: wantAvg(60000, 1)},
			{ActionType: "update_image_pull_secret", Total: 1, Succeeded: 1, Rate: wantRate(1, 1), AvgDurationMs: wantAvg(120000, 1)},
		},
	}, got)
	require.NotNil(t, got.Rate)
	assert.InDelta(t, 0.8462, *got.Rate, 0.00005, "docs/scenarios.md §1.4: 11/13")

	production, _, err := seed.service().SuccessRate(t.Context(), app.Params{"namespace": {"production"}})
	require.NoError(t, err)
	assert.Equal(t, []int64{10, 6, 2, 2}, []int64{production.Total, production.Succeeded, production.Failed, production.InProgress})
	assert.Equal(t, wantRate(6, 8), production.Rate)
}

// 04 #2: five namespaces summing to 15, largest first, then by name.
func TestScenario04GroupByNamespace(t *testing.T) {
	seed := openUpstreamSeed(t)
	got, _, err := seed.service().Namespaces(t.Context(), app.Params{})
	require.NoError(t, err)
	assert.Equal(t, []domain.NamespaceCount{
		{Namespace: seedPtr("production"), Count: 10, Succeeded: 6, Failed: 2},
		{Namespace: seedPtr("staging"), Count: 2, Succeeded: 2},
		{Namespace: seedPtr("development"), Count: 1, Succeeded: 1},
		{Namespace: seedPtr("logging"), Count: 1, Succeeded: 1},
		{Namespace: seedPtr("monitoring"), Count: 1, Succeeded: 1},
	}, got)
	var sum int64
	for _, g := range got {
		sum += g.Count
	}
	assert.Equal(t, int64(15), sum)
}

// 04 #3: three severities (critical 7, warning 7, info 1); production alone: critical 6,
// warning 4.
func TestScenario04SeverityDistribution(t *testing.T) {
	seed := openUpstreamSeed(t)
	svc := seed.service()
	all, _, err := svc.Severity(t.Context(), app.Params{})
	require.NoError(t, err)
	assert.Equal(t, []domain.SeverityCount{{Severity: "critical", Count: 7}, {Severity: "info", Count: 1}, {Severity: "warning", Count: 7}}, all)
	production, _, err := svc.Severity(t.Context(), app.Params{"namespace": {"production"}})
	require.NoError(t, err)
	assert.Equal(t, []domain.SeverityCount{{Severity: "critical", Count: 6}, {Severity: "warning", Count: 4}}, production)
}

// 04 #4: seven daily points, oldest first, summing to 15. Which UTC day a trace falls on
// depends on the seed's time of day (docs/scenarios.md §1.4): 011, 012 and 013 sit exactly 24,
// 48 and 72 h back, so on D−1, D−2 and D−3; the other twelve (at most 12 h back) on D or
// D−1. The app's clock is the seed's own NOW() and the expectation is computed per trace
// from it, never from the wall clock, so no time of day is flaky (D is the seed's day even
// when the test runs after midnight): seeded after 12:00 UTC it is D 12, D−1 1, D−2 1,
// D−3 1, as docs/scenarios.md states; earlier, some of the twelve move to D−1.
func TestScenario04Trend(t *testing.T) {
	seed := openUpstreamSeed(t)
	got, _, err := seed.service().Trend(t.Context(), app.Params{"days": {"7"}})
	require.NoError(t, err)

	today := seed.now.Truncate(24 * time.Hour)
	want := app.TrendResult{Days: 7, Points: make([]domain.TrendPoint, 7)}
	for i := range want.Points {
		want.Points[i].Day = today.AddDate(0, 0, i-6)
	}
	for _, tr := range seedTraces {
		day := seed.now.Add(-tr.ago).Truncate(24 * time.Hour)
		want.Points[6-int(today.Sub(day)/(24*time.Hour))].Count++
	}
	assert.Equal(t, want, got)

	var sum int64
	for _, p := range got.Points {
		sum += p.Count
	}
	assert.Equal(t, int64(15), sum)
	// The fixed facts, whatever the time of day (today = D = points[6]).
	require.Len(t, got.Points, 7)
	assert.Equal(t, int64(1), got.Points[3].Count, "D−3 holds 013 only")
	assert.Equal(t, int64(1), got.Points[4].Count, "D−2 holds 012 only")
	assert.Equal(t, int64(13), got.Points[5].Count+got.Points[6].Count, "D−1 and D hold the other 13")
	assert.Zero(t, got.Points[0].Count+got.Points[1].Count+got.Points[2].Count)
	if seed.now.Hour() >= 12 {
		assert.Equal(t, []int64{0, 0, 0, 1, 1, 1, 12}, trendCounts(got.Points), "seeded after 12:00 UTC")
	}
}

func trendCounts(points []domain.TrendPoint) []int64 {
	out := make([]int64, len(points))
	for i, p := range points {
		out[i] = p.Count
	}
	return out
}

// 04 #8 and #17: with the traces table emptied every aggregation answers, with zeros or
// nothing: no error, no division by zero, the success rate null rather than NaN.
func TestScenario04EmptyTable(t *testing.T) {
	seed := openUpstreamSeed(t)
	execScript(t, seed.dsn, "DELETE FROM resource_action_traces")
	svc := seed.service()

	rates, _, err := svc.SuccessRate(t.Context(), app.Params{})
	require.NoError(t, err)
	assert.Equal(t, domain.SuccessRate{ByActionType: []domain.ActionTypeRate{}}, rates)
	assert.Nil(t, rates.Rate, "nothing finished: no rate, not NaN")

	namespaces, _, err := svc.Namespaces(t.Context(), app.Params{})
	require.NoError(t, err)
	assert.NotNil(t, namespaces)
	assert.Empty(t, namespaces)

	severity, _, err := svc.Severity(t.Context(), app.Params{})
	require.NoError(t, err)
	assert.NotNil(t, severity)
	assert.Empty(t, severity)

	trend, _, err := svc.Trend(t.Context(), app.Params{"days": {"7"}})
	require.NoError(t, err)
	assert.Equal(t, 7, trend.Days)
	assert.Equal(t, []int64{0, 0, 0, 0, 0, 0, 0}, trendCounts(trend.Points))
}

// docs/scenarios.md §1.4 (and 05 #5, #8 against the seed): pages in list order, start time
// descending; the total counts every trace; the keyset cursor walks the same pages.
func TestUpstreamSeedListPages(t *testing.T) {
	seed := openUpstreamSeed(t)
	svc := seed.service()
	for _, c := range []struct {
		name   string
		params app.Params
		want   []string
		more   bool
	}{
		{"defaults: limit 10, offset 0", app.Params{}, rr(15, 14, 5, 3, 4, 2, 1, 6, 7, 8), true},
		{"limit 5, offset 5", app.Params{"limit": {"5"}, "offset": {"5"}}, rr(2, 1, 6, 7, 8), true},
		{"limit 5, offset 10", app.Params{"limit": {"5"}, "offset": {"10"}}, rr(10, 9, 11, 12, 13), false},
	} {
		res, _, err := svc.ListIncidents(t.Context(), c.params)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, requestIDs(res.Incidents), c.name)
		assert.Equal(t, int64(15), res.Total, c.name)
		assert.False(t, res.TotalIsEstimate, c.name)
		assert.Equal(t, c.more, res.NextCursor != "", c.name)
	}

	var walked []string
	params := app.Params{"limit": {"5"}}
	for range 3 {
		res, _, err := svc.ListIncidents(t.Context(), params)
		require.NoError(t, err)
		walked = append(walked, requestIDs(res.Incidents)...)
		params = app.Params{"limit": {"5"}, "cursor": {res.NextCursor}}
		if res.NextCursor == "" {
			break
		}
	}
	assert.Equal(t, rr(15, 14, 5, 3, 4, 2, 1, 6, 7, 8, 10, 9, 11, 12, 13), walked)
}

// docs/scenarios.md §1.4: time windows on the start time, queried one second after the seed
// (so 002, one hour back, sits just outside the last hour and 011, a day back, outside
// the last day).
func TestUpstreamSeedTimeWindows(t *testing.T) {
	seed := openUpstreamSeed(t)
	svc := seed.service()
	until := seed.queryNow.Format(time.RFC3339Nano)
	for _, c := range []struct {
		window time.Duration
		want   []string
	}{
		{time.Hour, rr(15, 14, 5, 3, 4)},
		{24 * time.Hour, rr(15, 14, 5, 3, 4, 2, 1, 6, 7, 8, 10, 9)},
		{7 * 24 * time.Hour, rr(15, 14, 5, 3, 4, 2, 1, 6, 7, 8, 10, 9, 11, 12, 13)},
	} {
		since := seed.queryNow.Add(-c.window).Format(time.RFC3339Nano)
		res, _, err := svc.ListIncidents(t.Context(), app.Params{"since": {since}, "until": {until}, "limit": {"100"}})
		require.NoError(t, err, c.window)
		assert.Equal(t, c.want, requestIDs(res.Incidents), "last %v", c.window)
		assert.Equal(t, int64(len(c.want)), res.Total, "last %v", c.window)
	}
}
