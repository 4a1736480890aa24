package postgres

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// A list filtered by environment must not read a whole month that has no match, as
// months from before upstream's migration 008 (every environment NULL) would be
// (migration 000007).
func TestFilteredPagesSkipMonthsWithoutMatches(t *testing.T) {
	const perMonth = 4000
	var events []domain.IncidentEvent
	for month, env := range []*string{nil, ptr("production")} {
		start := time.Date(2026, time.March+time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		for i := range perMonth {
			ns := "default"
			events = append(events, domain.IncidentEvent{
				ID: int64(len(events) + 1), Name: "Alert", RemediationRequestID: fmt.Sprint("rr-", len(events)),
				Namespace: &ns, Environment: env, TargetResource: "Pod", TargetName: fmt.Sprint("p", i%50),
				Severity: "info", ActionType: "restart_pod", StartTime: start.Add(time.Duration(i) * 10 * time.Minute),
			})
		}
	}
	repo := openLoaded(t, events)

	q := domain.ListQuery{Limit: 10, Filter: domain.Filter{Environments: []string{"production"}}}
	page, _, err := repo.List(t.Context(), q)
	require.NoError(t, err)
	require.Len(t, page.Incidents, 10)
	assert.Equal(t, int64(2*perMonth), page.Incidents[0].ID, "the newest production incident first")

	cols, err := repo.columns(t.Context(), false)
	require.NoError(t, err)
	sql, args, err := compose(repo.pageQuery(repo.session(t.Context()), q, cols))
	require.NoError(t, err)
	var plan []string
	rows, err := repo.pools.current().Query(t.Context(), "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "+sql, args...)
	require.NoError(t, err)
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan = append(plan, line)
	}
	require.NoError(t, rows.Err())
	text := strings.Join(plan, "\n")
	assert.NotContains(t, text, fmt.Sprintf("Rows Removed by Filter: %d", perMonth), "March was read whole:\n%s", text)
}

func ptr(s string) *string { return &s }
