package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// NewRepositoryFunc returns a repository holding exactly events, ready to read. It may use
// t for set-up failures and cleanup. RunRepository calls it once with Fixture(FixtureNow)
// and, after every test of that repository has finished, once with ObjectFixture() and
// once with no events; it never reads a repository after asking for the next one.
type NewRepositoryFunc func(t *testing.T, events []domain.IncidentEvent) ports.Repository

// RunRepository checks that the repositories newRepo builds behave as docs/api.md says:
// list order and paging, every filter, get, similarity search, aggregation and ping, with
// expectations worked out by hand from the fixture (see Fixture). It assumes nothing about
// how the repository stores data, so memory, PostgreSQL and cache decorators all run it.
func RunRepository(t *testing.T, newRepo NewRepositoryFunc) {
	t.Helper()
	repo := newRepo(t, Fixture(FixtureNow))
	require.NotNil(t, repo, "newRepo returned nil")
	s := &suite{repo: repo, want: map[int64]domain.IncidentEvent{}}
	// The expectations come from a separate copy, so a repository that changes its input
	// cannot change them too.
	for _, e := range Fixture(FixtureNow) {
		s.want[e.ID] = e
	}

	t.Run("Ping", s.testPing)
	t.Run("List", s.testList)
	t.Run("Filter", s.testFilter)
	t.Run("Get", s.testGet)
	t.Run("Search", s.testSearch)
	t.Run("Aggregate", s.testAggregate)
	t.Run("Context", s.testContext)
	t.Run("ObjectRepository", func(t *testing.T) { testObjects(t, newRepo(t, ObjectFixture())) })
	t.Run("EmptyRepository", func(t *testing.T) { testEmpty(t, newRepo(t, nil)) })
}

// suite is the state the contract tests share: the repository under test and the fixture
// by id.
type suite struct {
	repo ports.Repository
	want map[int64]domain.IncidentEvent
}

// listOrder is every fixture id in list order, read off the table in Fixture.
var listOrder = []int64{22, 15, 14, 5, 3, 4, 2, 1, 6, 7, 8, 10, 9, 11, 12, 13, 16, 18, 17, 25, 20, 19, 23, 24, 21}

// seedOrder is upstream's 15 traces in list order (docs/scenarios.md §1.4).
var seedOrder = []int64{15, 14, 5, 3, 4, 2, 1, 6, 7, 8, 10, 9, 11, 12, 13}

// seedWindow selects exactly the 15 upstream rows: every extra lies outside [now−7d, now).
func seedWindow() domain.Filter {
	return domain.Filter{Since: ago(7 * 24 * time.Hour), Until: at(0)}
}

func (s *suite) testPing(t *testing.T) {
	assert.NoError(t, s.repo.Ping(t.Context()))
}

func testEmpty(t *testing.T, repo ports.Repository) {
	ctx := t.Context()
	page, _, err := repo.List(ctx, domain.ListQuery{Limit: 10})
	require.NoError(t, err)
	assert.NotNil(t, page.Incidents, "an empty page holds an empty slice, not nil")
	assert.Empty(t, page.Incidents)
	assert.Zero(t, page.Total)
	assert.Nil(t, page.Next)

	_, _, err = repo.Get(ctx, domain.GetQuery{ID: 1})
	assert.ErrorIs(t, err, domain.ErrNotFound)

	found, _, err := repo.Search(ctx, domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, found)

	for _, by := range [][]domain.Dimension{nil, {domain.DimStatus}} {
		groups, _, err := repo.Aggregate(ctx, domain.AggregateQuery{GroupBy: by})
		require.NoError(t, err)
		assert.Empty(t, groups, "group by %v", by)
	}
	assert.NoError(t, repo.Ping(ctx))
}

// at is a time relative to FixtureNow; ago is the same in the past, as a pointer for
// filters and cursors.
func at(d time.Duration) *time.Time {
	t := FixtureNow.Add(d)
	return &t
}

func ago(d time.Duration) *time.Time { return at(-d) }

// ids lists the ids of incidents in their order.
func ids(incidents []domain.IncidentEvent) []int64 {
	out := make([]int64, 0, len(incidents))
	for _, e := range incidents {
		out = append(out, e.ID)
	}
	return out
}

func (s *suite) list(t *testing.T, q domain.ListQuery) domain.IncidentPage {
	t.Helper()
	page, _, err := s.repo.List(t.Context(), q)
	require.NoError(t, err)
	require.NotNil(t, page.Incidents, "a page always holds a slice, empty or not")
	return page
}

// assertIncident compares an incident with the fixture's, field by field: times as
// instants (any location), metadata as JSON (PostgreSQL's jsonb reorders keys), the
// embedding only when withEmbedding.
func (s *suite) assertIncident(t *testing.T, got domain.IncidentEvent, withEmbedding bool) {
	t.Helper()
	want, ok := s.want[got.ID]
	require.True(t, ok, "incident %d is not in the fixture", got.ID)
	if want.Metadata == nil {
		assert.Nil(t, got.Metadata, "incident %d: NULL metadata", got.ID)
	} else {
		assert.JSONEq(t, string(want.Metadata), string(got.Metadata), "incident %d: metadata", got.ID)
	}
	if !withEmbedding {
		want.Embedding = nil
	}
	assert.Equal(t, normalized(want), normalized(got), "incident %d", got.ID)
}

// normalized normalises what may legitimately differ between backends: the location of
// times. Metadata is compared separately.
func normalized(e domain.IncidentEvent) domain.IncidentEvent {
	e = e.Clone()
	e.StartTime = e.StartTime.UTC()
	for _, p := range []*time.Time{e.EndTime, e.CreatedAt, e.UpdatedAt} {
		if p != nil {
			*p = p.UTC()
		}
	}
	e.Metadata = nil
	return e
}
