package test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
	"github.com/contextapi/contextapi/internal/testkit"
)

// The cache's day partials (cache.Options.DayPartials) over real PostgreSQL: the port's
// contract, the repository's exact answer for random windows when nothing changes, and
// rows updated and inserted in closed days showing within the TTL.

const oneDay = 24 * time.Hour

// openDays loads events into a database of its own and returns the repository and the
// cache over it, keeping day partials on clk.
func openDays(t *testing.T, events []domain.IncidentEvent, clk func() time.Time, ttl time.Duration) (string, *postgres.Repository, *cache.Repository) {
	t.Helper()
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(events), postgres.LoadOptions{}))
	repo, err := postgres.Open(dsn, postgres.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = repo.Close() })
	c, err := cache.New(repo, cache.Options{TTL: ttl, DayPartials: true, Now: clk})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return dsn, repo, c
}

func TestDayPartialsKeepThePortContractOverPostgreSQL(t *testing.T) {
	pg.Require(t)
	porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		_, _, c := openDays(t, events, func() time.Time { return porttest.FixtureNow }, time.Minute)
		return c
	})
}

// Random windows (whole days, partial days, within one day, across month partitions, the
// last 30 days to the second), filters and groupings give exactly PostgreSQL's answer
// while nothing changes, as the clock moves past midnights.
func TestDayPartialsGiveTheRepositorysAnswerOverPostgreSQL(t *testing.T) {
	pg.Require(t)
	now := time.Date(2026, 3, 2, 21, 4, 5, 0, time.UTC)
	events := dataset.Demo(now)
	clk := &clock{now: now}
	_, repo, c := openDays(t, events, clk.Now, time.Hour)
	space := testkit.NewAggregateSpace(events, now, 95*oneDay)
	r := rand.New(rand.NewPCG(11, 3))
	for i := range 400 {
		if i%40 == 39 {
			clk.Advance(time.Duration(r.Int64N(int64(2 * time.Hour))))
			space.Now = clk.Now()
		}
		q := space.Query(r)
		want, _, err := repo.Aggregate(t.Context(), q)
		require.NoError(t, err)
		got, _, err := c.Aggregate(t.Context(), q)
		require.NoError(t, err)
		w, err := testkit.Groups(want)
		require.NoError(t, err)
		g, err := testkit.Groups(got)
		require.NoError(t, err)
		require.Equal(t, w, g, "query %d at %s: %+v", i, clk.Now(), q)
	}
	assert.NotEqual(t, now.Day(), clk.Now().Day(), "the clock crossed a midnight")
}

// dayQueries are the use cases' windows: the last 30 days to the second (success rate,
// namespaces, severity), the trend's whole days to tomorrow, a closed window and a
// filtered one grouped by day.
func dayQueries(now time.Time) []domain.AggregateQuery {
	ptr := func(t time.Time) *time.Time { return &t }
	today := now.Truncate(oneDay)
	var qs []domain.AggregateQuery
	for i, by := range [][]domain.Dimension{{domain.DimActionType, domain.DimStatus}, {domain.DimNamespace, domain.DimStatus},
		{domain.DimSeverity}, {domain.DimSeverity}} {
		qs = append(qs, domain.AggregateQuery{Filter: domain.Filter{Since: ptr(now.Add(-30*oneDay + time.Duration(i)*time.Second))}, GroupBy: by})
	}
	return append(qs,
		domain.AggregateQuery{Filter: domain.Filter{Since: ptr(today.Add(-29 * oneDay)), Until: ptr(today.Add(oneDay))}, GroupBy: []domain.Dimension{domain.DimDay}},
		domain.AggregateQuery{Filter: domain.Filter{Since: ptr(today.Add(-12 * oneDay)), Until: ptr(today.Add(-2 * oneDay))}, GroupBy: []domain.Dimension{domain.DimStatus}},
		domain.AggregateQuery{Filter: domain.Filter{Since: ptr(now.Add(-20 * oneDay)), Environments: []string{"production"}}, GroupBy: []domain.Dimension{domain.DimSeverity, domain.DimDay}},
	)
}

// writer changes the traces table as Data Storage does: statuses and durations updated
// on traces of closed days, traces inserted late into closed days or today.
type writer struct {
	conn *pgx.Conn
	r    *rand.Rand
	n    int
}

func newWriter(t *testing.T, dsn string, r *rand.Rand) *writer {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return &writer{conn: conn, r: r}
}

// traceIn returns the id and time of a random trace started in [from, to).
func (w *writer) traceIn(t *testing.T, from, to time.Time) (int64, time.Time) {
	t.Helper()
	rows, err := w.conn.Query(t.Context(), `SELECT id, action_timestamp FROM resource_action_traces
		WHERE action_timestamp >= $1 AND action_timestamp < $2 ORDER BY id`, from, to)
	require.NoError(t, err)
	type trace struct {
		id int64
		at time.Time
	}
	traces, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (trace, error) {
		var tr trace
		return tr, row.Scan(&tr.id, &tr.at)
	})
	require.NoError(t, err)
	require.NotEmpty(t, traces, "traces in [%s, %s)", from, to)
	tr := traces[w.r.IntN(len(traces))]
	return tr.id, tr.at
}

// update sets a new status and duration (and sometimes severity) on a trace of a closed
// day of the last 30.
func (w *writer) update(t *testing.T, now time.Time) {
	t.Helper()
	id, at := w.traceIn(t, now.Add(-30*oneDay), now.Truncate(oneDay))
	status := []string{domain.StatusCompleted, domain.StatusFailed, domain.StatusRolledBack}[w.r.IntN(3)]
	severity := []string{"critical", "warning", "info"}[w.r.IntN(3)]
	_, err := w.conn.Exec(t.Context(), `UPDATE resource_action_traces SET execution_status = $3, execution_duration_ms = $4,
		alert_severity = CASE WHEN $5 THEN $6 ELSE alert_severity END WHERE id = $1 AND action_timestamp = $2`,
		id, at, status, w.r.IntN(600_000), w.r.IntN(3) == 0, severity)
	require.NoError(t, err)
}

// insert copies a trace to a random moment of the last 30 days: late into a closed day,
// or into today.
func (w *writer) insert(t *testing.T, now time.Time) {
	t.Helper()
	id, at := w.traceIn(t, now.Add(-30*oneDay), now)
	w.n++
	late := now.Add(-time.Duration(w.r.Int64N(int64(30 * oneDay)))).Truncate(time.Microsecond)
	_, err := w.conn.Exec(t.Context(), `INSERT INTO resource_action_traces (action_history_id, action_id, action_timestamp,
			execution_duration_ms, alert_name, alert_severity, model_used, model_confidence, action_type, execution_status,
			alert_fingerprint, cluster_name, environment)
		SELECT action_history_id, left(action_id, 50) || '-late-' || $3::text, $4, execution_duration_ms, alert_name, alert_severity,
			model_used, model_confidence, action_type, execution_status, alert_fingerprint, cluster_name, environment
		FROM resource_action_traces WHERE id = $1 AND action_timestamp = $2`, id, at, strconv.Itoa(w.n), late)
	require.NoError(t, err)
}

// Writes into closed days while the clock moves across midnight and reads go through
// the cache with day partials: in every answer, each UTC day of the window counts as
// PostgreSQL held it at some moment within the TTL before the answer, never earlier;
// and once the TTL has passed since the last write, the answer is PostgreSQL's own.
func TestDayPartialsShowClosedDayWritesWithinTheTTLOverPostgreSQL(t *testing.T) {
	pg.Require(t)
	const ttl = 5 * time.Minute
	start := time.Date(2026, 3, 2, 23, 24, 5, 0, time.UTC)
	clk := &clock{now: start}
	dsn, repo, c := openDays(t, dataset.Demo(start), clk.Now, ttl)
	r := rand.New(rand.NewPCG(15, 9))
	w := newWriter(t, dsn, r)
	queries := dayQueries(start)
	fresh := func() []testkit.DayParts { // PostgreSQL's answer to every query, split by UTC day
		var parts []testkit.DayParts
		for _, q := range queries {
			byDay, keep := testkit.ByDay(q)
			groups, _, err := repo.Aggregate(t.Context(), byDay)
			require.NoError(t, err)
			p, err := testkit.SplitByDay(groups, keep)
			require.NoError(t, err)
			parts = append(parts, p)
		}
		return parts
	}
	ask := func(i int) map[string][3]int64 {
		groups, _, err := c.Aggregate(t.Context(), queries[i])
		require.NoError(t, err)
		got, err := testkit.Groups(groups)
		require.NoError(t, err)
		return got
	}
	history := testkit.NewDayHistory(ttl)
	history.Record(clk.Now(), fresh())
	for range 300 {
		switch r.IntN(6) {
		case 0:
			w.update(t, clk.Now())
			history.Record(clk.Now(), fresh())
		case 1:
			w.insert(t, clk.Now())
			history.Record(clk.Now(), fresh())
		case 2:
			clk.Advance(time.Duration(r.Int64N(int64(2 * time.Minute))))
		default:
			i := r.IntN(len(queries))
			require.NoError(t, history.Check(i, ask(i), clk.Now()), "query %d at %s", i, clk.Now())
		}
	}
	assert.NotEqual(t, start.Day(), clk.Now().Day(), "the clock crossed midnight")
	assert.Positive(t, history.Lagged(), "some answers held stored days older than the last write (else the test proves nothing)")
	t.Logf("%d answers current, %d within the TTL but behind the last write, %d states", history.Current(), history.Lagged(), history.Len())

	// A TTL after the last write, every answer is PostgreSQL's own.
	clk.Advance(ttl)
	last := fresh()
	for i := range queries {
		ok, err := testkit.EachDayFrom(ask(i), []testkit.DayParts{last[i]})
		require.NoError(t, err)
		assert.True(t, ok, "query %d a TTL after the last write", i)
	}
}

// An update in a closed day: within the TTL the stored day may still answer, after it
// the update shows, in the same request and in a new window alike.
func TestAnUpdateInAClosedDayShowsAfterTheTTLOverPostgreSQL(t *testing.T) {
	pg.Require(t)
	const ttl = 5 * time.Minute
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	clk := &clock{now: now}
	dsn, repo, c := openDays(t, dataset.Demo(now), clk.Now, ttl)
	q := func(since time.Time) domain.AggregateQuery {
		return domain.AggregateQuery{Filter: domain.Filter{Since: &since}, GroupBy: []domain.Dimension{domain.DimActionType, domain.DimStatus}}
	}
	answer := func(repo ports.AggregateRepository, since time.Time) map[string][3]int64 {
		groups, _, err := repo.Aggregate(t.Context(), q(since))
		require.NoError(t, err)
		g, err := testkit.Groups(groups)
		require.NoError(t, err)
		return g
	}
	since := now.Add(-30 * oneDay)
	before := answer(c, since)
	beforeNext := answer(repo, since.Add(time.Second))
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	tag, err := conn.Exec(t.Context(), `UPDATE resource_action_traces SET execution_status = 'rolled-back'
		WHERE action_timestamp >= $1 AND action_timestamp < $2`, now.Add(-10*oneDay).Truncate(oneDay), now.Add(-9*oneDay).Truncate(oneDay))
	require.NoError(t, err)
	require.Positive(t, tag.RowsAffected())
	require.NotEqual(t, before, answer(repo, since), "the update changes the answer")

	clk.Advance(ttl - time.Second)
	assert.Equal(t, before, answer(c, since), "within the TTL: the stored answer")
	assert.Equal(t, beforeNext, answer(c, since.Add(time.Second)), "within the TTL, a new window: the stored days")
	clk.Advance(time.Second)
	for _, s := range []time.Time{since, since.Add(time.Second), since.Add(2 * time.Second)} {
		assert.Equal(t, answer(repo, s), answer(c, s), "a TTL after the days were read: the update shows (since %s)", s)
	}
}

// A trace written at 23:59:30 into the day that is today, read after midnight: the day
// has just closed and is read, so the trace counts.
func TestTheDayThatJustClosedIsReadOverPostgreSQL(t *testing.T) {
	pg.Require(t)
	now := time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC)
	clk := &clock{now: now}
	dsn, repo, c := openDays(t, dataset.Demo(now), clk.Now, time.Hour)
	window := func(since time.Time) domain.AggregateQuery {
		return domain.AggregateQuery{Filter: domain.Filter{Since: &since}, GroupBy: []domain.Dimension{domain.DimSeverity}}
	}
	answer := func(repo ports.AggregateRepository, q domain.AggregateQuery) map[string][3]int64 {
		groups, _, err := repo.Aggregate(t.Context(), q)
		require.NoError(t, err)
		g, err := testkit.Groups(groups)
		require.NoError(t, err)
		return g
	}
	first := window(now.Add(-30 * oneDay))
	assert.Equal(t, answer(repo, first), answer(c, first))
	next := window(now.Add(90*time.Second - 30*oneDay)) // asked at 00:00:30
	old := answer(repo, next)
	w := newWriter(t, dsn, rand.New(rand.NewPCG(1, 1)))
	id, at := w.traceIn(t, now.Add(-oneDay), now)
	_, err := w.conn.Exec(t.Context(), `INSERT INTO resource_action_traces (action_history_id, action_id, action_timestamp,
			alert_name, alert_severity, model_used, model_confidence, action_type, execution_status)
		SELECT action_history_id, left(action_id, 50) || '-late', $3, alert_name, alert_severity, model_used,
			model_confidence, action_type, execution_status FROM resource_action_traces WHERE id = $1 AND action_timestamp = $2`,
		id, at, now.Add(30*time.Second))
	require.NoError(t, err)
	want := answer(repo, next)
	require.NotEqual(t, old, want, "the late trace counts")
	clk.Advance(90 * time.Second)
	assert.Equal(t, want, answer(c, next), "the day that just closed is read, with its late trace")
}
