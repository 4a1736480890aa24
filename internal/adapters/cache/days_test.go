package cache

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
	"github.com/contextapi/contextapi/internal/testkit"
)

// daysOnly is a repository whose aggregations go through the day partials alone, with
// no answer cache in front: what the contract and differential tests hold to the port.
type daysOnly struct {
	ports.Repository
	days ports.AggregateRepository
}

func (d daysOnly) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	return d.days.Aggregate(ctx, q)
}

func newDays(t *testing.T, next ports.Repository, opts Options) *Repository {
	t.Helper()
	opts.DayPartials = true
	c, err := New(next, opts)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestDayPartialsKeepThePortContract(t *testing.T) {
	// At the fixture's now its last week is cut into days; at today's, every fixture day
	// is closed.
	for _, now := range []func() time.Time{func() time.Time { return porttest.FixtureNow }, time.Now} {
		t.Run("decorator alone", func(t *testing.T) {
			porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
				mem := memory.NewRepository(events)
				return daysOnly{Repository: mem, days: newDays(t, mem, Options{Now: now}).aggregates}
			})
		})
		t.Run("under the cache", func(t *testing.T) {
			porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
				return newDays(t, memory.NewRepository(events), Options{Now: now})
			})
		})
	}
}

func TestCutSplitsAWindowAtMidnightsAndHours(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return &v
	}
	tests := []struct {
		name         string
		since, until *time.Time
		want         []string // stored runs ("day"/"hour" from..to) and fresh parts (since..until), in time order
	}{
		{name: "no since: one query", until: at("2026-03-01T00:00:00Z")},
		{name: "within today", since: at("2026-03-02T01:00:00Z")},
		{name: "one closed day is too few", since: at("2026-03-01T00:00:00Z")},
		{name: "a window in the future", since: at("2026-03-05T00:00:00Z")},
		{name: "more days than kept: one query", since: at("2024-01-01T00:00:00Z")},
		{name: "the last 30 days", since: at("2026-01-31T15:04:05Z"), want: []string{
			"fresh 2026-01-31T15:04:05Z..2026-01-31T16:00:00Z", "hour 2026-01-31T16:00:00Z..2026-02-01T00:00:00Z",
			"day 2026-02-01T00:00:00Z..2026-03-02T00:00:00Z", "hour 2026-03-02T00:00:00Z..2026-03-02T15:00:00Z",
			"fresh 2026-03-02T15:00:00Z.."}},
		{name: "trend: whole days to tomorrow", since: at("2026-02-01T00:00:00Z"), until: at("2026-03-03T00:00:00Z"), want: []string{
			"day 2026-02-01T00:00:00Z..2026-03-02T00:00:00Z", "hour 2026-03-02T00:00:00Z..2026-03-02T15:00:00Z",
			"fresh 2026-03-02T15:00:00Z..2026-03-03T00:00:00Z"}},
		{name: "closed days only", since: at("2026-02-10T00:00:00Z"), until: at("2026-02-20T00:00:00Z"), want: []string{
			"day 2026-02-10T00:00:00Z..2026-02-20T00:00:00Z"}},
		{name: "whole hours in the past: nothing fresh", since: at("2026-02-10T06:00:00Z"), until: at("2026-02-20T18:00:00Z"), want: []string{
			"hour 2026-02-10T06:00:00Z..2026-02-11T00:00:00Z", "day 2026-02-11T00:00:00Z..2026-02-20T00:00:00Z",
			"hour 2026-02-20T00:00:00Z..2026-02-20T18:00:00Z"}},
		{name: "partial hours at both ends in the past", since: at("2026-02-10T06:30:00Z"), until: at("2026-02-20T18:15:00Z"), want: []string{
			"fresh 2026-02-10T06:30:00Z..2026-02-10T07:00:00Z", "hour 2026-02-10T07:00:00Z..2026-02-11T00:00:00Z",
			"day 2026-02-11T00:00:00Z..2026-02-20T00:00:00Z", "hour 2026-02-20T00:00:00Z..2026-02-20T18:00:00Z",
			"fresh 2026-02-20T18:00:00Z..2026-02-20T18:15:00Z"}},
		{name: "until in the future", since: at("2026-02-27T00:00:00Z"), until: at("2026-03-10T00:00:00Z"), want: []string{
			"day 2026-02-27T00:00:00Z..2026-03-02T00:00:00Z", "hour 2026-03-02T00:00:00Z..2026-03-02T15:00:00Z",
			"fresh 2026-03-02T15:00:00Z..2026-03-10T00:00:00Z"}},
		{name: "at midnight: today has no closed hour", since: at("2026-02-27T00:00:00Z"), until: at("2026-03-02T00:00:00Z"), want: []string{
			"day 2026-02-27T00:00:00Z..2026-03-02T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, ok := cut(domain.Filter{Since: tt.since, Until: tt.until, Namespaces: []string{"a"}}, now)
			require.Equal(t, tt.want != nil, ok)
			var got []string
			for _, r := range w.runs {
				unit := map[time.Duration]string{day: "day", hour: "hour"}[r.unit]
				got = append(got, unit+" "+r.from.Format(time.RFC3339)+".."+r.to.Format(time.RFC3339))
			}
			for _, f := range w.fresh {
				require.Equal(t, []string{"a"}, f.Namespaces, "a part keeps the filter")
				part := "fresh " + f.Since.Format(time.RFC3339) + ".."
				if f.Until != nil {
					part += f.Until.Format(time.RFC3339)
				}
				got = append(got, part)
			}
			slices.SortFunc(got, func(a, b string) int {
				return strings.Compare(a[strings.IndexByte(a, ' '):], b[strings.IndexByte(b, ' '):])
			})
			assert.Equal(t, tt.want, got)
		})
	}
}

// The day partials give exactly the repository's answer when nothing changes, for random
// windows, filters and groupings, while the clock moves (past midnights too) and stored
// days are reused.
func TestDayPartialsGiveTheRepositorysAnswer(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	events := dataset.Demo(now)
	mem := memory.NewRepository(events)
	clock := &fakeClock{now: now}
	c := newDays(t, mem, Options{Now: clock.Now, TTL: time.Hour})
	space := testkit.NewAggregateSpace(events, now, 95*24*time.Hour)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 600 {
		if i%50 == 49 {
			clock.Advance(time.Duration(r.Int64N(int64(3 * time.Hour))))
			space.Now = clock.Now()
		}
		q := space.Query(r)
		want, _, err := mem.Aggregate(t.Context(), q)
		require.NoError(t, err)
		for name, repo := range map[string]ports.AggregateRepository{"decorator alone": c.aggregates, "under the cache": c} {
			got, _, err := repo.Aggregate(t.Context(), q)
			require.NoError(t, err)
			assertSameGroups(t, want, got, "%s, query %d: %+v", name, i, q)
		}
	}
	assert.Positive(t, testutil.ToFloat64(c.metrics.dayHits), "stored days were reused")
}

func assertSameGroups(t *testing.T, want, got []domain.Group, msgAndArgs ...any) {
	t.Helper()
	w, err := testkit.Groups(want)
	require.NoError(t, err)
	g, err := testkit.Groups(got)
	require.NoError(t, err, msgAndArgs...)
	assert.Equal(t, w, g, msgAndArgs...)
}

// A window of 30 days is read once as days and hours; later windows ending now read only
// their partial first and last hours, and closed days and hours already stored are never
// read again within the TTL.
func TestDayPartialsReadEachClosedDayOncePerTTL(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	rec := newRecordingRepo(memory.NewRepository(dataset.Demo(now)))
	clock := &fakeClock{now: now}
	c := newDays(t, rec, Options{Now: clock.Now, TTL: 90 * time.Minute})
	ask := func(since time.Time) domain.Read {
		_, read, err := c.aggregates.Aggregate(t.Context(), domain.AggregateQuery{
			Filter: domain.Filter{Since: &since}, GroupBy: []domain.Dimension{domain.DimSeverity}})
		require.NoError(t, err)
		return read
	}
	since := now.Add(-30 * day)
	read := ask(since)
	assert.Equal(t, domain.ReadMiss, read.Source)
	assert.Equal(t, now, read.AsOf)
	assert.Equal(t, []string{
		"2026-01-31T15:04:05Z..2026-01-31T16:00:00Z by [severity]",
		"2026-01-31T16:00:00Z..2026-02-01T00:00:00Z by [severity hour]",
		"2026-02-01T00:00:00Z..2026-03-02T00:00:00Z by [severity day]",
		"2026-03-02T00:00:00Z..2026-03-02T15:00:00Z by [severity hour]",
		"2026-03-02T15:00:00Z.. by [severity]",
	}, rec.take())

	clock.Advance(time.Minute)
	read = ask(since.Add(time.Minute))
	assert.Equal(t, domain.ReadHit, read.Source, "every closed day and hour was stored")
	assert.Equal(t, now, read.AsOf, "as old as its oldest part")
	assert.Equal(t, []string{"2026-01-31T15:05:05Z..2026-01-31T16:00:00Z by [severity]", "2026-03-02T15:00:00Z.. by [severity]"}, rec.take())
	assert.InDelta(t, 29, testutil.ToFloat64(c.metrics.dayHits), 0)
	assert.InDelta(t, 29, testutil.ToFloat64(c.metrics.dayMisses), 0)
	assert.InDelta(t, 8+15, testutil.ToFloat64(c.metrics.hourHits), 0)
	assert.InDelta(t, 8+15, testutil.ToFloat64(c.metrics.hourMisses), 0)

	clock.Advance(time.Hour) // a new hour: the one just ended is read, alone
	read = ask(clock.Now().Add(-30 * day))
	assert.Equal(t, domain.ReadMiss, read.Source)
	assert.Equal(t, []string{
		"2026-01-31T16:05:05Z..2026-01-31T17:00:00Z by [severity]",
		"2026-03-02T15:00:00Z..2026-03-02T16:00:00Z by [severity hour]",
		"2026-03-02T16:00:00Z.. by [severity]",
	}, rec.take())

	clock.Advance(9 * time.Hour) // past midnight: 2026-03-02 is closed now, and every part expired
	read = ask(clock.Now().Add(-30 * day))
	assert.Equal(t, domain.ReadMiss, read.Source)
	assert.Equal(t, clock.Now(), read.AsOf)
	assert.Equal(t, []string{
		"2026-02-01T01:05:05Z..2026-02-01T02:00:00Z by [severity]",
		"2026-02-01T02:00:00Z..2026-02-02T00:00:00Z by [severity hour]",
		"2026-02-02T00:00:00Z..2026-03-03T00:00:00Z by [severity day]",
		"2026-03-03T00:00:00Z..2026-03-03T01:00:00Z by [severity hour]",
		"2026-03-03T01:00:00Z.. by [severity]",
	}, rec.take())
}

// The answer cache in front keeps an answer built from stored days only until the
// oldest of them is a TTL old, not a TTL from when the answer was built; else an answer
// could lag the database by twice the TTL.
func TestAnAnswerFromStoredDaysExpiresWithItsOldestDay(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	rec := newRecordingRepo(memory.NewRepository(dataset.Demo(now)))
	clock := &fakeClock{now: now}
	c := newDays(t, rec, Options{Now: clock.Now, TTL: 5 * time.Minute})
	ask := func(since time.Time) domain.Read {
		_, read, err := c.Aggregate(t.Context(), domain.AggregateQuery{Filter: domain.Filter{Since: &since}})
		require.NoError(t, err)
		return read
	}
	ask(now.Add(-30 * day)) // the days are read now
	clock.Advance(4 * time.Minute)
	later := clock.Now().Add(-30 * day)
	read := ask(later) // a new answer, from days 4 minutes old
	assert.Equal(t, domain.ReadMiss, read.Source)
	assert.Equal(t, now, read.AsOf)
	clock.Advance(59 * time.Second)
	assert.Equal(t, domain.ReadHit, ask(later).Source, "within the TTL of its oldest day")
	clock.Advance(time.Second)
	rec.take()
	read = ask(later)
	assert.Equal(t, domain.ReadMiss, read.Source, "a TTL after its oldest day was read, it is read again")
	assert.Equal(t, clock.Now(), read.AsOf)
	assert.Len(t, rec.take(), 5, "days, hours at both ends, and both partial hours")
}

// Concurrent misses of different windows over the same closed days read those days
// once (the bench's moving since), and identical ones share the whole load.
func TestConcurrentWindowsReadTheirDaysOnce(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	counting := &countingRepo{next: memory.NewRepository(dataset.Demo(now))}
	rec := newRecordingRepo(counting)
	clock := &fakeClock{now: now}
	c := newDays(t, rec, Options{Now: clock.Now, TTL: 5 * time.Minute})
	release := counting.hold()
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			since := now.Add(-30*day - time.Duration(i%8)*time.Second) // 8 distinct windows, same days
			_, _, err := c.Aggregate(context.Background(), domain.AggregateQuery{
				Filter: domain.Filter{Since: &since}, GroupBy: []domain.Dimension{domain.DimNamespace, domain.DimStatus}})
			assert.NoError(t, err)
		})
	}
	require.Eventually(t, func() bool { return testutil.ToFloat64(c.metrics.shared) >= n-1 }, 5*time.Second, time.Millisecond)
	release()
	wg.Wait()
	loads := 0
	for _, call := range rec.take() {
		if strings.HasSuffix(call, " day]") || strings.HasSuffix(call, " hour]") {
			loads++
		}
	}
	assert.Equal(t, 3, loads, "one read of the closed days, one of the closed hours at each end")
	assert.EqualValues(t, 3+2*8, counting.aggregates.Load(), "the stored parts, and both partial hours per distinct window")
}

func TestDayPartialsAreOffUnlessAskedFor(t *testing.T) {
	c, err := New(memory.NewRepository(nil), Options{})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	_, isRepo := c.aggregates.(*memory.Repository)
	assert.True(t, isRepo, "aggregations load straight from the repository")
}

// A repository error in any part fails the aggregation, and nothing of it is stored.
func TestAFailedPartFailsTheAggregation(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	counting := &countingRepo{next: memory.NewRepository(dataset.Demo(now))}
	c := newDays(t, counting, Options{Now: func() time.Time { return now }})
	counting.setErr(domain.ErrUnavailable)
	since := now.Add(-30 * day)
	q := domain.AggregateQuery{Filter: domain.Filter{Since: &since}}
	_, _, err := c.Aggregate(t.Context(), q)
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	counting.setErr(nil)
	_, read, err := c.aggregates.Aggregate(t.Context(), q)
	require.NoError(t, err)
	assert.Equal(t, domain.ReadMiss, read.Source, "no day was stored by the failed load")
}
