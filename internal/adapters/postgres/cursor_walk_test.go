package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// R14: a cursor walk while Data Storage keeps inserting traces (newer ones, as it does,
// and one dated within the walk's range, as a late writer might) returns every row that
// existed when the walk started exactly once: no duplicates, no gaps.
func TestR14CursorWalkWhileRowsAreInserted(t *testing.T) {
	rec := reliability.Target(t, "R14", "walks the traces by cursor, 3 a page, inserting a newer trace after every page "+
		"and one dated just behind the cursor after the second")
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(porttest.Fixture(porttest.FixtureNow)), LoadOptions{}))
	repo, err := Open(dsn, Options{})
	require.NoError(t, err)
	defer repo.Close()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(t.Context())

	var before []int64
	rows, err := conn.Query(t.Context(), "SELECT id FROM resource_action_traces")
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		before = append(before, id)
	}
	require.NoError(t, rows.Err())
	var historyID int64
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT min(id) FROM action_histories").Scan(&historyID))

	insert := func(id int64, at time.Time) {
		_, err := conn.Exec(t.Context(), `INSERT INTO resource_action_traces (id, action_history_id, action_id,
			action_timestamp, alert_name, alert_severity, model_used, model_confidence, action_type)
			VALUES ($1, $2, $3, $4, 'Inserted', 'info', 'gpt-4', 0.9, 'restart_pod')`,
			id, historyID, fmt.Sprintf("walk-%d", id), at)
		require.NoError(t, err)
	}

	seen := map[int64]int{}
	q := domain.ListQuery{Limit: 3}
	next := int64(100_000)
	pages, walked := 0, 0
	for page := 0; ; page++ {
		pages++
		res, _, err := repo.List(t.Context(), q)
		require.NoError(t, err)
		for _, e := range res.Incidents {
			seen[e.ID]++
			walked++
		}
		// Between pages: a newer trace (ahead of the walk), and after the second page one
		// dated just after the cursor position (behind it: already walked past).
		next++
		insert(next, time.Now().UTC())
		if page == 1 && res.Next != nil {
			next++
			insert(next, res.Next.StartTime.Add(time.Microsecond))
		}
		if res.Next == nil {
			break
		}
		q.After = res.Next
	}
	gaps, duplicates := 0, 0
	for _, id := range before {
		if seen[id] == 0 {
			gaps++
		}
		assert.Equal(t, 1, seen[id], "trace %d, present when the walk started, seen once", id)
	}
	for id, n := range seen {
		duplicates += n - 1
		assert.Equal(t, 1, n, "trace %d seen %d times", id, n)
	}
	rec.Figure("rows present at the start", "%d", len(before))
	rec.Figure("rows walked", "%d in %d pages", walked, pages)
	rec.Figure("rows inserted during the walk", "%d", next-100_000)
	rec.Figure("duplicates", "%d", duplicates)
	rec.Figure("gaps", "%d", gaps)
}
