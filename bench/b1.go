package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// b1Server is baseline B1: the service's statements through pgxpool, rows scanned by
// hand, the service's JSON shapes through encoding/json. No framework, no ORM, no cache.
type b1Server struct {
	pool *pgxpool.Pool
	mu   sync.Mutex
	sent map[string]int // statements sent, by the service's op names
}

// sent counts a statement under the op name the service's metrics use.
func (b *b1Server) count(op string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sent == nil {
		b.sent = map[string]int{}
	}
	b.sent[op]++
}

// statements serves the counts, so the bench can check B1 sends what the service sends.
func (b *b1Server) statements(w http.ResponseWriter, _ *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	writeJSONBody(w, b.sent)
}

func (b *b1Server) list(w http.ResponseWriter, r *http.Request) {
	q, err := parseListQuery(r.URL.Query())
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	ctx := r.Context()
	// Page and total at once, on two connections, as the service does.
	type counted struct {
		n        int64
		estimate bool
		err      error
	}
	totalDone := make(chan counted, 1)
	go func() {
		n, estimate, err := total(ctx, b.pool, q.f, b.count)
		totalDone <- counted{n, estimate, err}
	}()
	sql, args := listSQL(q.f, q.after, q.limit, q.offset)
	b.count("list")
	items, err := queryIncidents(ctx, b.pool, sql, args, false)
	t := <-totalDone
	if err = errors.Join(err, t.err); err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	out := listJSON{Limit: q.limit, Offset: q.offset, Incidents: make([]incidentJSON, 0, q.limit),
		Total: t.n, TotalIsEstimate: t.estimate}
	if len(items) > q.limit {
		items = items[:q.limit]
		last := items[len(items)-1]
		next := encodeCursor(position{Time: last.start, ID: last.ID})
		out.NextCursor = &next
	}
	for _, it := range items {
		out.Incidents = append(out.Incidents, it.incidentJSON)
	}
	writeJSONBody(w, out)
}

// total is the service's total: the planner's estimate when it exceeds
// estimateThreshold, else an exact count.
func total(ctx context.Context, pool *pgxpool.Pool, f filter, count func(op string)) (int64, bool, error) {
	sql, args := estimateSQL(f)
	count("estimate")
	var plan []byte
	if err := pool.QueryRow(ctx, sql, args...).Scan(&plan); err != nil {
		return 0, false, err
	}
	var parsed []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &parsed); err != nil || len(parsed) == 0 {
		return 0, false, errors.Join(errors.New("unreadable plan"), err)
	}
	if n := int64(parsed[0].Plan.Rows); n > estimateThreshold {
		return n, true, nil
	}
	var n int64
	sql, args = countSQL(f)
	count("count")
	err := pool.QueryRow(ctx, sql, args...).Scan(&n)
	return n, false, err
}

func (b *b1Server) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 || len(r.URL.Query()) > 0 {
		httpError(w, http.StatusBadRequest, errors.New("id: must be a positive integer"))
		return
	}
	sql, args := getSQL(id)
	b.count("get")
	items, err := queryIncidents(r.Context(), b.pool, sql, args, false)
	switch {
	case err != nil:
		httpError(w, http.StatusInternalServerError, err)
	case len(items) == 0:
		httpError(w, http.StatusNotFound, errors.New("not found"))
	default:
		writeJSONBody(w, items[0].incidentJSON)
	}
}

func (b *b1Server) search(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	q, err := parseSearch(body)
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	items, err := vectorSearch(r.Context(), b.pool, q, false, b.count)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSONBody(w, searchAnswer(items, q.limit))
}

// vectorSearch runs the service's search: the index scan, then, when it comes back
// short, the exact scan; equal distances by id descending. exact skips the index.
func vectorSearch(ctx context.Context, pool *pgxpool.Pool, q searchQuery, exact bool, count func(op string)) ([]scannedIncident, error) {
	sql, args := searchSQL(q.vec, q.f, q.threshold, q.limit, exact)
	count(map[bool]string{false: "search", true: "search_exact"}[exact])
	items, err := queryIncidents(ctx, pool, sql, args, true)
	if err == nil && !exact && len(items) < q.limit {
		sql, args = searchSQL(q.vec, q.f, q.threshold, q.limit, true)
		count("search_exact")
		items, err = queryIncidents(ctx, pool, sql, args, true)
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].distance != items[j].distance {
			return items[i].distance < items[j].distance
		}
		return items[i].ID > items[j].ID
	})
	return items, err
}

func searchAnswer(items []scannedIncident, limit int) searchJSON {
	out := searchJSON{Limit: limit, Incidents: make([]similarJSON, len(items))}
	for i, it := range items {
		out.Incidents[i] = similarJSON{incidentJSON: it.incidentJSON, Similarity: 1 - it.distance}
	}
	return out
}

// queryIncidents runs a statement selecting incidentColumns.
func queryIncidents(ctx context.Context, pool *pgxpool.Pool, sql string, args []any, withDistance bool) ([]scannedIncident, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scannedIncident
	for rows.Next() {
		it, err := scanIncident(rows, withDistance)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
