package porttest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// counts is what a group holds: Count, DurationSumMs, DurationCount.
type counts [3]int64

func (s *suite) testAggregate(t *testing.T) {
	const (
		actionType = domain.DimActionType
		status     = domain.DimStatus
		namespace  = domain.DimNamespace
		severity   = domain.DimSeverity
		day        = domain.DimDay
		hour       = domain.DimHour
	)
	seed := seedWindow()
	seedProduction := seedWindow()
	today := domain.Filter{Since: at(-12*time.Hour - 34*time.Minute - 56123456*time.Nanosecond), Until: at(0)} // from midnight
	seedProduction.Namespaces = []string{"production"}
	tests := []struct {
		name   string
		filter domain.Filter
		by     []domain.Dimension
		want   map[string]counts // group key (values in `by` order joined by "/", NULL for nil) → counts
	}{
		{"everything in one group", domain.Filter{}, nil, map[string]counts{"": {25, 3605000, 20}}},
		{"nothing matches: no group", domain.Filter{Namespaces: []string{"nope"}}, nil, map[string]counts{}},
		{"nothing matches, grouped: no group", domain.Filter{Namespaces: []string{"nope"}}, []domain.Dimension{status}, map[string]counts{}},
		{"by status", domain.Filter{}, []domain.Dimension{status}, map[string]counts{
			"completed": {14, 3050000, 14}, "failed": {4, 255000, 4}, "executing": {2, 0, 0}, "pending": {2, 0, 0},
			"rolled-back": {1, 240000, 1}, "cancelled": {1, 60000, 1}, "NULL": {1, 0, 0},
		}},
		{"by action type", domain.Filter{}, []domain.Dimension{actionType}, map[string]counts{
			"scale_deployment": {7, 1950000, 7}, "restart_pod": {5, 710000, 5}, "cleanup_disk": {2, 180000, 2},
			"rollback_deployment": {3, 420000, 3}, "restart_service": {1, 45000, 1}, "adjust_rate_limit": {1, 180000, 1},
			"update_image_pull_secret": {1, 120000, 1}, "cordon_drain_node": {2, 0, 0}, "create_persistent_volume": {1, 0, 0},
			"renew_certificate": {1, 0, 0}, "increase_memory_limit": {1, 0, 0},
		}},
		{"by namespace", domain.Filter{}, []domain.Dimension{namespace}, map[string]counts{
			"production": {15, 2355000, 12}, "staging": {3, 600000, 3}, "development": {1, 120000, 1},
			"monitoring": {1, 150000, 1}, "logging": {1, 200000, 1}, "test": {1, 30000, 1}, "security": {1, 0, 0},
			"命名空间": {1, 150000, 1}, "NULL": {1, 0, 0},
		}},
		{"by severity", domain.Filter{}, []domain.Dimension{severity}, map[string]counts{
			"critical": {13, 1865000, 10}, "warning": {10, 1590000, 8}, "info": {2, 150000, 2},
		}},
		{"by UTC day", domain.Filter{}, []domain.Dimension{day}, map[string]counts{
			"2027-07-20": {1, 0, 0}, "2026-06-15": {12, 1595000, 10}, "2026-06-14": {1, 300000, 1},
			"2026-06-13": {1, 310000, 1}, "2026-06-12": {1, 320000, 1}, "2026-06-07": {1, 0, 0},
			"2026-06-06": {1, 60000, 1}, "2026-06-05": {2, 360000, 2}, "2026-06-03": {2, 210000, 2},
			"2026-06-01": {1, 150000, 1}, "2026-05-26": {1, 0, 0}, "2024-02-29": {1, 300000, 1},
		}},
		{"by action type and status", domain.Filter{}, []domain.Dimension{actionType, status}, map[string]counts{
			"scale_deployment/completed": {7, 1950000, 7}, "restart_pod/completed": {4, 680000, 4},
			"restart_pod/failed": {1, 30000, 1}, "cleanup_disk/completed": {1, 120000, 1},
			"cleanup_disk/cancelled": {1, 60000, 1}, "rollback_deployment/failed": {2, 180000, 2},
			"rollback_deployment/rolled-back": {1, 240000, 1}, "restart_service/failed": {1, 45000, 1},
			"adjust_rate_limit/completed": {1, 180000, 1}, "update_image_pull_secret/completed": {1, 120000, 1},
			"cordon_drain_node/executing": {1, 0, 0}, "cordon_drain_node/NULL": {1, 0, 0},
			"create_persistent_volume/pending": {1, 0, 0}, "renew_certificate/pending": {1, 0, 0},
			"increase_memory_limit/executing": {1, 0, 0},
		}},
		{"by namespace and status", domain.Filter{}, []domain.Dimension{namespace, status}, map[string]counts{
			"production/completed": {7, 1830000, 7}, "production/failed": {3, 225000, 3},
			"production/executing": {2, 0, 0}, "production/pending": {1, 0, 0},
			"production/rolled-back": {1, 240000, 1}, "production/cancelled": {1, 60000, 1},
			"staging/completed": {3, 600000, 3}, "development/completed": {1, 120000, 1},
			"monitoring/completed": {1, 150000, 1}, "logging/completed": {1, 200000, 1},
			"test/failed": {1, 30000, 1}, "security/pending": {1, 0, 0},
			"命名空间/completed": {1, 150000, 1}, "NULL/NULL": {1, 0, 0},
		}},
		{"upstream seed by namespace and status", seed, []domain.Dimension{namespace, status}, map[string]counts{
			"production/completed": {6, 1530000, 6}, "production/failed": {2, 105000, 2},
			"production/executing": {1, 0, 0}, "production/pending": {1, 0, 0},
			"staging/completed": {2, 420000, 2}, "development/completed": {1, 120000, 1},
			"monitoring/completed": {1, 150000, 1}, "logging/completed": {1, 200000, 1},
		}},
		{"upstream seed by action type and status", seed, []domain.Dimension{actionType, status}, map[string]counts{
			"scale_deployment/completed": {5, 1470000, 5}, "restart_pod/completed": {3, 530000, 3},
			"cleanup_disk/completed": {1, 120000, 1}, "adjust_rate_limit/completed": {1, 180000, 1},
			"update_image_pull_secret/completed": {1, 120000, 1}, "rollback_deployment/failed": {1, 60000, 1},
			"restart_service/failed": {1, 45000, 1}, "cordon_drain_node/executing": {1, 0, 0},
			"create_persistent_volume/pending": {1, 0, 0},
		}},
		{"upstream seed production by severity", seedProduction, []domain.Dimension{severity}, map[string]counts{
			"critical": {6, 905000, 5}, "warning": {4, 730000, 3},
		}},
		{"upstream seed trend", seed, []domain.Dimension{day}, map[string]counts{
			"2026-06-15": {12, 1595000, 10}, "2026-06-14": {1, 300000, 1}, "2026-06-13": {1, 310000, 1}, "2026-06-12": {1, 320000, 1},
		}},
		{"today by UTC hour", today, []domain.Dimension{hour}, map[string]counts{
			"2026-06-15T12": {4, 165000, 2}, "2026-06-15T11": {2, 240000, 2}, "2026-06-15T10": {1, 300000, 1},
			"2026-06-15T09": {1, 240000, 1}, "2026-06-15T08": {1, 180000, 1}, "2026-06-15T06": {1, 120000, 1},
			"2026-06-15T04": {1, 200000, 1}, "2026-06-15T00": {1, 150000, 1},
		}},
		{"phase pending by status", domain.Filter{Phases: []domain.Phase{domain.PhasePending}}, []domain.Dimension{status}, map[string]counts{
			"pending": {2, 0, 0}, "NULL": {1, 0, 0}, "cancelled": {1, 60000, 1},
		}},
		{"the leap day stays on its day", domain.Filter{Until: ago(365 * 24 * time.Hour)}, []domain.Dimension{day, severity}, map[string]counts{
			"2024-02-29/critical": {1, 300000, 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertGroups(t, s.repo, domain.AggregateQuery{Filter: tt.filter, GroupBy: tt.by}, tt.want)
		})
	}

	t.Run("an unknown dimension is an invalid argument", func(t *testing.T) {
		_, _, err := s.repo.Aggregate(t.Context(), domain.AggregateQuery{GroupBy: []domain.Dimension{"cluster_name; DROP TABLE x"}})
		assert.ErrorIs(t, err, domain.ErrInvalidArgument)
	})
}

// assertGroups runs q and compares its groups, keyed by groupKey, with want.
func assertGroups(t *testing.T, repo ports.AggregateRepository, q domain.AggregateQuery, want map[string]counts) {
	t.Helper()
	groups, _, err := repo.Aggregate(t.Context(), q)
	require.NoError(t, err)
	got := map[string]counts{}
	for _, g := range groups {
		key := groupKey(t, g.Key, q.GroupBy)
		_, dup := got[key]
		assert.False(t, dup, "group %q twice", key)
		got[key] = counts{g.Count, g.DurationSumMs, g.DurationCount}
	}
	assert.Equal(t, want, got)
}

// groupKey renders the values of the dimensions in by, in that order, and checks that
// the fields of the other dimensions are zero.
func groupKey(t *testing.T, k domain.GroupKey, by []domain.Dimension) string {
	t.Helper()
	nullable := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return *p
	}
	parts := make([]string, 0, len(by))
	for _, d := range by {
		switch d {
		case domain.DimActionType:
			parts = append(parts, k.ActionType)
		case domain.DimStatus:
			parts = append(parts, nullable(k.Status))
		case domain.DimNamespace:
			parts = append(parts, nullable(k.Namespace))
		case domain.DimSeverity:
			parts = append(parts, k.Severity)
		case domain.DimDay:
			day := k.Day.UTC()
			assert.Equal(t, day.Truncate(24*time.Hour), day, "a day is a UTC midnight")
			parts = append(parts, day.Format(time.DateOnly))
		case domain.DimHour:
			hour := k.Hour.UTC()
			assert.Equal(t, hour.Truncate(time.Hour), hour, "an hour starts on the hour, UTC")
			parts = append(parts, hour.Format("2006-01-02T15"))
		case domain.DimName:
			parts = append(parts, k.Name)
		case domain.DimEnvironment:
			parts = append(parts, nullable(k.Environment))
		case domain.DimCluster:
			parts = append(parts, nullable(k.ClusterName))
		}
	}
	if !slices.Contains(by, domain.DimActionType) {
		assert.Empty(t, k.ActionType)
	}
	if !slices.Contains(by, domain.DimStatus) {
		assert.Nil(t, k.Status)
	}
	if !slices.Contains(by, domain.DimNamespace) {
		assert.Nil(t, k.Namespace)
	}
	if !slices.Contains(by, domain.DimSeverity) {
		assert.Empty(t, k.Severity)
	}
	if !slices.Contains(by, domain.DimDay) {
		assert.True(t, k.Day.IsZero(), "day %v", k.Day)
	}
	if !slices.Contains(by, domain.DimHour) {
		assert.True(t, k.Hour.IsZero(), "hour %v", k.Hour)
	}
	if !slices.Contains(by, domain.DimName) {
		assert.Empty(t, k.Name)
	}
	if !slices.Contains(by, domain.DimEnvironment) {
		assert.Nil(t, k.Environment)
	}
	if !slices.Contains(by, domain.DimCluster) {
		assert.Nil(t, k.ClusterName)
	}
	return strings.Join(parts, "/")
}
