package measure

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/statements"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

// prepareCursors builds the deepest page of the unfiltered list and of one namespace's
// list: a cursor that holds only a position is obtained for the 11th-oldest row (through
// a page of the same list bounded by until), and the page it opens must hold exactly the
// ten oldest rows, as SQL says.
func (e *Env) prepareCursors(ctx context.Context) error {
	for _, c := range []struct{ name, ns string }{{"unfiltered", ""}, {"namespace", e.Data.Namespaces[0]}} {
		var f statements.Filter
		var params []string
		if c.ns != "" {
			f.Namespaces = []string{c.ns}
			params = []string{"namespace", c.ns}
		}
		where, args := e.SQL.Where(f)
		var at time.Time
		var id int64
		err := e.Pool.QueryRow(ctx, `SELECT rat.action_timestamp, rat.id FROM `+e.SQL.Joined+where+
			` ORDER BY rat.action_timestamp, rat.id OFFSET 10 LIMIT 1`, args...).Scan(&at, &id)
		if err != nil {
			return fmt.Errorf("check: deepest position: %w", err)
		}
		until := at.Add(time.Microsecond).UTC().Format("2006-01-02T15:04:05.000000Z")
		body, err := e.askOne(ctx, contenders.ServiceUncached, load.Get(workload.ListURI(append(slices.Clone(params), "until", until, "limit", "1")...)))
		if err != nil {
			return fmt.Errorf("check: cursor: %w", err)
		}
		var a listAnswer
		if err := json.Unmarshal(body, &a); err != nil || a.NextCursor == nil || len(a.Incidents) != 1 {
			e.disagree("cursor %s: no next_cursor at the 11th-oldest row", c.name)
			continue
		}
		var startTime struct {
			Incidents []struct {
				StartTime time.Time `json:"start_time"`
			} `json:"incidents"`
		}
		if err := json.Unmarshal(body, &startTime); err != nil || len(startTime.Incidents) != 1 {
			e.disagree("cursor %s: unreadable page at the 11th-oldest row", c.name)
			continue
		}
		pos := statements.Position{Time: startTime.Incidents[0].StartTime, ID: a.Incidents[0].ID}
		sql, args := e.SQL.List(f, &pos, 10, 0)
		want, err := contenders.QueryIncidents(ctx, e.Pool, sql, args, false)
		if err != nil {
			return err
		}
		q := url.Values{"cursor": {*a.NextCursor}}
		if c.ns != "" {
			q.Set("namespace", c.ns)
		}
		deep := load.Get("/api/v1/incidents?" + q.Encode())
		body, err = e.askOne(ctx, contenders.ServiceUncached, deep)
		if err != nil {
			return fmt.Errorf("check: deepest page: %w", err)
		}
		var got listAnswer
		_ = json.Unmarshal(body, &got)
		wantIDs := make([]int64, 0, 10)
		for _, w := range want[:min(10, len(want))] {
			wantIDs = append(wantIDs, w.ID)
		}
		if !slices.Equal(got.ids(), wantIDs) || (got.NextCursor == nil) != (len(want) <= 10) {
			e.disagree("cursor %s: deepest page ids %v, SQL says %v", c.name, got.ids(), wantIDs)
		}
		e.Workloads.Cursors = append(e.Workloads.Cursors, workload.CursorCase{Name: c.name, First: load.Get(workload.ListURI(params...)), Deep: deep})
	}
	return nil
}
