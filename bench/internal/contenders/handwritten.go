package contenders

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/contextapi/contextapi/bench/internal/statements"
)

// handwritten is baseline B1: the service's statements (read from the adapter's golden
// files, package statements) through pgxpool, rows scanned by hand, the service's JSON
// shapes through encoding/json, the service's strategy for totals and searches. No
// framework, no ORM, no cache.
type handwritten struct {
	pool  *pgxpool.Pool
	sql   *statements.Set
	mu    sync.Mutex
	sent  map[string]int // statements sent, by the service's op names
	memos map[string]memoRows
	table tableSize
}

// count counts a statement under the op name the service's metrics use.
func (b *handwritten) count(op string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sent == nil {
		b.sent = map[string]int{}
	}
	b.sent[op]++
}

// statements serves the counts, so the bench can check B1 sends what the service sends.
func (b *handwritten) statements(w http.ResponseWriter, _ *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	writeJSONBody(w, b.sent)
}

func (b *handwritten) list(w http.ResponseWriter, r *http.Request) {
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
		n, estimate, err := b.total(ctx, q.f)
		totalDone <- counted{n, estimate, err}
	}()
	sql, args := b.sql.List(q.f, q.after, q.limit, q.offset)
	b.count("list")
	items, err := QueryIncidents(ctx, b.pool, sql, args, false)
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
		next := encodeCursor(statements.Position{Time: last.start, ID: last.ID})
		out.NextCursor = &next
	}
	for _, it := range items {
		out.Incidents = append(out.Incidents, it.incidentJSON)
	}
	writeJSONBody(w, out)
}

// total is the service's total: the table's size from its statistics when nothing
// filters, else the planner's estimate when it exceeds estimateThreshold (asked once a
// minute per statement), else an exact count.
func (b *handwritten) total(ctx context.Context, f statements.Filter) (int64, bool, error) {
	sql, args := b.sql.Estimate(f)
	if len(args) == 0 && !strings.Contains(sql, " WHERE ") {
		n, analysed, err := b.tableRows(ctx)
		if err != nil || analysed {
			return n, true, err
		}
	}
	n, err := b.estimate(ctx, sql, args)
	if err != nil {
		return 0, false, err
	}
	if n > estimateThreshold {
		return n, true, nil
	}
	sql, args = b.sql.Count(f)
	b.count("count")
	err = b.pool.QueryRow(ctx, sql, args...).Scan(&n)
	return n, false, err
}

// estimateThreshold is the service's (postgres.estimateThreshold): above this many
// estimated matches the total is the planner's estimate (flagged), below it an exact
// count.
const estimateThreshold = 5_000

// memoTTL is how long the service trusts the table's size and an estimate.
const memoTTL = time.Minute

type memoRows struct {
	rows  int64
	taken time.Time
}

// tableSize is the table's size from its statistics, as the service reads it.
type tableSize struct {
	rows     int64
	analysed bool
	taken    time.Time
}

// tableRows is the service's table size and whether every partition was analysed,
// re-read once a minute.
func (b *handwritten) tableRows(ctx context.Context) (int64, bool, error) {
	b.mu.Lock()
	t := b.table
	b.mu.Unlock()
	if time.Since(t.taken) < memoTTL {
		return t.rows, t.analysed, nil
	}
	b.count("table_size")
	if err := b.pool.QueryRow(ctx, statements.TableSize).Scan(&t.rows, &t.analysed); err != nil {
		return 0, false, err
	}
	t.taken = time.Now()
	b.mu.Lock()
	b.table = t
	b.mu.Unlock()
	return t.rows, t.analysed, nil
}

// estimate is the planner's row estimate for sql, asked once a minute.
func (b *handwritten) estimate(ctx context.Context, sql string, args []any) (int64, error) {
	key, err := json.Marshal(args)
	if err != nil {
		return 0, err
	}
	k := sql + "\x00" + string(key)
	if n, ok := b.memo(k, time.Now()); ok {
		return n, nil
	}
	b.count("estimate")
	var plan []byte
	if err := b.pool.QueryRow(ctx, sql, args...).Scan(&plan); err != nil {
		return 0, err
	}
	var parsed []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &parsed); err != nil || len(parsed) == 0 {
		return 0, errors.Join(errors.New("unreadable plan"), err)
	}
	n := int64(parsed[0].Plan.Rows)
	b.remember(k, n, time.Now())
	return n, nil
}

func (b *handwritten) memo(key string, now time.Time) (int64, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m, ok := b.memos[key]
	return m.rows, ok && now.Sub(m.taken) < memoTTL
}

func (b *handwritten) remember(key string, n int64, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.memos == nil {
		b.memos = map[string]memoRows{}
	}
	b.memos[key] = memoRows{n, now}
}

func (b *handwritten) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 || len(r.URL.Query()) > 0 {
		httpError(w, http.StatusBadRequest, errors.New("id: must be a positive integer"))
		return
	}
	sql, args := b.sql.Get(id)
	b.count("get")
	items, err := QueryIncidents(r.Context(), b.pool, sql, args, false)
	switch {
	case err != nil:
		httpError(w, http.StatusInternalServerError, err)
	case len(items) == 0:
		httpError(w, http.StatusNotFound, errors.New("not found"))
	default:
		writeJSONBody(w, items[0].incidentJSON)
	}
}

func (b *handwritten) search(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	q, err := ParseSearch(body)
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	exact, err := b.selective(r.Context(), q.Filter)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	items, err := vectorSearch(r.Context(), b.pool, b.sql, q, exact, b.count)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSONBody(w, searchAnswer(items, q.Limit))
}

// exactSearchRows is the service's default (postgres.defaultExactSearchRows): filters
// estimated to match no more incidents are searched exactly at once.
const exactSearchRows = 20_000

// selective is the service's choice of an exact search for a filtered one.
func (b *handwritten) selective(ctx context.Context, f statements.Filter) (bool, error) {
	if reflect.ValueOf(f).IsZero() {
		return false, nil
	}
	rows, _, err := b.tableRows(ctx)
	if err != nil || rows <= exactSearchRows {
		return err == nil, err
	}
	sql, args := b.sql.Estimate(f)
	n, err := b.estimate(ctx, sql, args)
	return n <= exactSearchRows, err
}

// vectorSearch runs the service's search: the index scan, then, when it comes back
// short, the exact scan; equal distances by id descending. exact skips the index.
func vectorSearch(ctx context.Context, pool *pgxpool.Pool, set *statements.Set, q SearchQuery, exact bool, count func(op string)) ([]scannedIncident, error) {
	sql, args := set.Search(q.Vec, q.Filter, q.Threshold, q.Limit, exact)
	count(map[bool]string{false: "search", true: "search_exact"}[exact])
	items, err := QueryIncidents(ctx, pool, sql, args, true)
	if err == nil && !exact && len(items) < q.Limit {
		sql, args = set.Search(q.Vec, q.Filter, q.Threshold, q.Limit, true)
		count("search_exact")
		items, err = QueryIncidents(ctx, pool, sql, args, true)
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

// QueryIncidents runs a statement selecting the service's incident columns (and a
// distance when withDistance) and scans its rows by hand.
func QueryIncidents(ctx context.Context, pool *pgxpool.Pool, sql string, args []any, withDistance bool) ([]scannedIncident, error) {
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
