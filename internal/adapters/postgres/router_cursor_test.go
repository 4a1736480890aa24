package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// walk lists every incident matching f, limit a page, page i read from pick(i), and
// returns the ids in the order read.
func walk(t *testing.T, f domain.Filter, limit int, pick func(page int) ports.IncidentRepository) []int64 {
	t.Helper()
	var ids []int64
	q := domain.ListQuery{Filter: f, Limit: limit}
	for page := 0; ; page++ {
		require.Less(t, page, 100, "the walk ends")
		res, _, err := pick(page).List(t.Context(), q)
		require.NoError(t, err)
		for _, e := range res.Incidents {
			ids = append(ids, e.ID)
		}
		if res.Next == nil {
			return ids
		}
		q.After = res.Next
	}
}

// TestRouterCursorWalkAcrossTargets: a cursor is a position in the list order (start
// time and id), not a server's state, so a walk whose pages alternate between the
// primary and a caught-up standby returns exactly the rows, in the order, of a walk on
// one server.
func TestRouterCursorWalkAcrossTargets(t *testing.T) {
	requireDatabase(t)
	rt := openRouted(t, porttest.Fixture(porttest.FixtureNow), RouterOptions{})
	primary, replica := rt.router.primary.repo, rt.router.replicas[0].repo
	since, until := porttest.FixtureNow.AddDate(0, 0, -7), porttest.FixtureNow
	filters := []struct {
		name   string
		filter domain.Filter
	}{
		{name: "everything"},
		{name: "the seed window", filter: domain.Filter{Since: &since, Until: &until}},
	}
	for _, tt := range filters {
		for _, limit := range []int{1, 2, 3, 7} {
			onPrimary := walk(t, tt.filter, limit, func(int) ports.IncidentRepository { return primary })
			require.NotEmpty(t, onPrimary)
			alternating := walk(t, tt.filter, limit, func(page int) ports.IncidentRepository {
				if page%2 == 0 {
					return replica
				}
				return primary
			})
			assert.Equal(t, onPrimary, alternating, "%s, %d a page", tt.name, limit)
			assert.Equal(t, onPrimary, walk(t, tt.filter, limit, func(int) ports.IncidentRepository { return rt.router }),
				"%s, %d a page, through the router", tt.name, limit)
		}
	}
}
