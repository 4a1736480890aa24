package cache

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/testkit"
)

// freshnessQueries are windows ending now (the last 30 days, as callers send them, to
// the second), the trend's whole days to tomorrow and a closed 10-day window.
func freshnessQueries(now time.Time) []domain.AggregateQuery {
	ptr := func(t time.Time) *time.Time { return &t }
	today := now.Truncate(day)
	var qs []domain.AggregateQuery
	for i, by := range [][]domain.Dimension{{domain.DimActionType, domain.DimStatus}, {domain.DimNamespace, domain.DimStatus},
		{domain.DimSeverity}, {domain.DimSeverity}} {
		qs = append(qs, domain.AggregateQuery{Filter: domain.Filter{Since: ptr(now.Add(-30*day + time.Duration(i)*time.Second))}, GroupBy: by})
	}
	return append(qs,
		domain.AggregateQuery{Filter: domain.Filter{Since: ptr(today.Add(-29 * day)), Until: ptr(today.Add(day))}, GroupBy: []domain.Dimension{domain.DimDay}},
		domain.AggregateQuery{Filter: domain.Filter{Since: ptr(today.Add(-12 * day)), Until: ptr(today.Add(-2 * day))}, GroupBy: []domain.Dimension{domain.DimStatus}},
		domain.AggregateQuery{Filter: domain.Filter{Since: ptr(now.Add(-20 * day)), Environments: []string{"production"}}, GroupBy: []domain.Dimension{domain.DimSeverity, domain.DimDay}},
	)
}

// A random walk of updates and inserts in closed days (and today), clock moves across
// midnights and reads through the cache: in every answer, each UTC day of the window
// counts as the repository held it at some moment within the TTL before the answer,
// never earlier. (Days may come from different moments: each closed day is stored when
// it is read.)
func TestDayPartialsNeverLagTheRepositoryByMoreThanTheTTL(t *testing.T) {
	const ttl = 5 * time.Minute
	start := time.Date(2026, 3, 2, 23, 4, 5, 0, time.UTC)
	repo := newMutableRepo(dataset.Demo(start))
	clock := &fakeClock{now: start}
	c := newDays(t, repo, Options{Now: clock.Now, TTL: ttl})
	queries := freshnessQueries(start)
	history := testkit.NewDayHistory(ttl)
	record := func() { // the repository's answer to every query, split by day, from now on
		var parts []testkit.DayParts
		for _, q := range queries {
			split, keep := testkit.ByDay(q)
			groups, _, err := repo.Aggregate(t.Context(), split)
			require.NoError(t, err)
			p, err := testkit.SplitByDay(groups, keep)
			require.NoError(t, err)
			parts = append(parts, p)
		}
		history.Record(clock.Now(), parts)
	}
	record()
	r := rand.New(rand.NewPCG(15, 7))
	for range 800 {
		switch r.IntN(6) {
		case 0:
			repo.change(func(events []domain.IncidentEvent) []domain.IncidentEvent {
				return mutate(r, events, clock.Now())
			})
			record()
		case 1:
			clock.Advance(time.Duration(r.Int64N(int64(2 * time.Minute))))
		default:
			i := r.IntN(len(queries))
			groups, _, err := c.Aggregate(t.Context(), queries[i])
			require.NoError(t, err)
			got, err := testkit.Groups(groups)
			require.NoError(t, err)
			require.NoError(t, history.Check(i, got, clock.Now()), "query %d at %s", i, clock.Now())
		}
	}
	assert.NotEqual(t, start.Day(), clock.Now().Day(), "the walk crossed a midnight")
	assert.Positive(t, history.Lagged(), "some answers held stored days older than the last write (else the test proves nothing)")
	assert.Positive(t, history.Current())
	t.Logf("%d answers current, %d within the TTL but behind the last write, %d states", history.Current(), history.Lagged(), history.Len())
}

// mutate changes the events as Data Storage's writer might: a status, duration or
// severity updated on an incident of a closed day, or an incident inserted late into a
// closed day or today.
func mutate(r *rand.Rand, events []domain.IncidentEvent, now time.Time) []domain.IncidentEvent {
	recent := func(e domain.IncidentEvent) bool { return e.StartTime.After(now.Add(-31 * day)) }
	var idx []int
	for i, e := range events {
		if recent(e) && e.StartTime.Before(now.Truncate(day)) {
			idx = append(idx, i)
		}
	}
	pick := idx[r.IntN(len(idx))]
	if r.IntN(2) == 0 { // update in place
		e := events[pick].Clone()
		status := []string{domain.StatusCompleted, domain.StatusFailed, domain.StatusRolledBack}[r.IntN(3)]
		d := r.Int64N(600_000)
		e.Status, e.DurationMs = &status, &d
		if r.IntN(3) == 0 {
			e.Severity = []string{"critical", "warning", "info"}[r.IntN(3)]
		}
		events[pick] = e
		return events
	}
	e := events[pick].Clone()
	e.ID = slices.MaxFunc(events, func(a, b domain.IncidentEvent) int { return int(a.ID - b.ID) }).ID + 1
	e.StartTime = now.Add(-time.Duration(r.Int64N(int64(30 * day)))).Truncate(time.Microsecond)
	return append(events, e)
}

// An update in a closed day may be missed while the day is stored, for at most the TTL.
func TestAnUpdateInAClosedDayShowsWithinTheTTL(t *testing.T) {
	const ttl = 5 * time.Minute
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	repo := newMutableRepo(dataset.Demo(now))
	clock := &fakeClock{now: now}
	c := newDays(t, repo, Options{Now: clock.Now, TTL: ttl})
	ask := func(since time.Time) map[string][3]int64 {
		groups, _, err := c.Aggregate(t.Context(), domain.AggregateQuery{Filter: domain.Filter{Since: &since}, GroupBy: []domain.Dimension{domain.DimStatus}})
		require.NoError(t, err)
		g, err := testkit.Groups(groups)
		require.NoError(t, err)
		return g
	}
	fresh := func(since time.Time) map[string][3]int64 {
		groups, _, err := repo.Aggregate(t.Context(), domain.AggregateQuery{Filter: domain.Filter{Since: &since}, GroupBy: []domain.Dimension{domain.DimStatus}})
		require.NoError(t, err)
		g, err := testkit.Groups(groups)
		require.NoError(t, err)
		return g
	}
	since := now.Add(-30 * day)
	before, beforeLater := ask(since), fresh(since.Add(time.Second))
	repo.change(func(events []domain.IncidentEvent) []domain.IncidentEvent {
		for i, e := range events {
			if e.StartTime.After(now.Add(-10*day)) && e.StartTime.Before(now.Add(-9*day)) {
				rolledBack := domain.StatusRolledBack
				events[i].Status = &rolledBack
			}
		}
		return events
	})
	require.NotEqual(t, before, fresh(since), "the update changes the answer")
	clock.Advance(ttl - time.Second)
	assert.Equal(t, before, ask(since), "the same request within the TTL: the stored answer")
	assert.Equal(t, beforeLater, ask(since.Add(time.Second)), "another window within the TTL: the stored days")
	clock.Advance(time.Second)
	assert.Equal(t, fresh(since), ask(since), "a TTL after the days were read: the update shows")
	assert.Equal(t, fresh(since.Add(time.Second)), ask(since.Add(time.Second)),
		"also in the answer built from the stored days a second before they expired")
	assert.Equal(t, fresh(since.Add(2*time.Second)), ask(since.Add(2*time.Second)))
}

// A row written late into the day that just ended (it was today a minute ago) is in the
// first answer after midnight: a day is only stored once it is closed.
func TestTheDayThatJustEndedIsReadAfterItCloses(t *testing.T) {
	now := time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC)
	repo := newMutableRepo(dataset.Demo(now))
	clock := &fakeClock{now: now}
	c := newDays(t, repo, Options{Now: clock.Now, TTL: time.Hour})
	ask := func(q domain.AggregateQuery) map[string][3]int64 {
		groups, _, err := c.Aggregate(t.Context(), q)
		require.NoError(t, err)
		g, err := testkit.Groups(groups)
		require.NoError(t, err)
		return g
	}
	fresh := func(q domain.AggregateQuery) map[string][3]int64 {
		groups, _, err := repo.Aggregate(t.Context(), q)
		require.NoError(t, err)
		g, err := testkit.Groups(groups)
		require.NoError(t, err)
		return g
	}
	window := func(since time.Time) domain.AggregateQuery {
		return domain.AggregateQuery{Filter: domain.Filter{Since: &since}, GroupBy: []domain.Dimension{domain.DimSeverity, domain.DimDay}}
	}
	first := window(now.Add(-30 * day))
	assert.Equal(t, fresh(first), ask(first))
	next := window(now.Add(90*time.Second - 30*day)) // asked at 00:00:30
	old := fresh(next)
	repo.change(func(events []domain.IncidentEvent) []domain.IncidentEvent {
		e := events[len(events)-1].Clone()
		e.ID = events[len(events)-1].ID + 1000
		e.StartTime = now.Add(30 * time.Second) // 23:59:30, still 2026-03-02
		return append(events, e)
	})
	want := fresh(next)
	require.NotEqual(t, old, want, "the late row counts")
	clock.Advance(90 * time.Second) // 00:00:30: 2026-03-02 is closed
	assert.Equal(t, want, ask(next), "the day that just closed is read, with its late row")
}
