package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// cursorCase is a first page and the deepest page of one list (P3).
type cursorCase struct {
	Name        string
	First, Deep request
}

// prepareCursors builds the deepest page of the unfiltered list and of one namespace's
// list: a cursor that holds only a position is obtained for the 11th-oldest row (through
// a page of the same list bounded by until), and the page it opens must hold exactly the
// ten oldest rows, as SQL says.
func (e *env) prepareCursors(ctx context.Context) error {
	for _, c := range []struct{ name, ns string }{{"unfiltered", ""}, {"namespace", e.data.Namespaces[0]}} {
		var f filter
		var params []string
		if c.ns != "" {
			f.Namespaces = []string{c.ns}
			params = []string{"namespace", c.ns}
		}
		var s stmt
		conds := s.conditions(f)
		var at time.Time
		var id int64
		err := e.pool.QueryRow(ctx, `SELECT rat.action_timestamp, rat.id FROM `+joinedTables+where(conds)+
			` ORDER BY rat.action_timestamp, rat.id OFFSET 10 LIMIT 1`, s.args...).Scan(&at, &id)
		if err != nil {
			return fmt.Errorf("check: deepest position: %w", err)
		}
		until := at.Add(time.Microsecond).UTC().Format("2006-01-02T15:04:05.000000Z")
		body, err := e.askOne(ctx, svcUncached, get(listURI(append(slices.Clone(params), "until", until, "limit", "1")...)))
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
		pos := position{Time: startTime.Incidents[0].StartTime, ID: a.Incidents[0].ID}
		sql, args := listSQL(f, &pos, 10, 0)
		want, err := queryIncidents(ctx, e.pool, sql, args, false)
		if err != nil {
			return err
		}
		q := url.Values{"cursor": {*a.NextCursor}}
		if c.ns != "" {
			q.Set("namespace", c.ns)
		}
		deep := get("/api/v1/incidents?" + q.Encode())
		body, err = e.askOne(ctx, svcUncached, deep)
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
		e.wl.Cursors = append(e.wl.Cursors, cursorCase{Name: c.name, First: get(listURI(params...)), Deep: deep})
	}
	return nil
}
