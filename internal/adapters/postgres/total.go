package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// estimateThreshold is where counting stops paying for itself: above this many
// estimated matches an exact count reads more rows than the page does by orders of
// magnitude (38–48 ms against 0.2 ms at 1M rows, docs/targets.md), so the planner's
// estimate is returned and flagged. Below it the count is exact.
const estimateThreshold = 5_000

// tableRowsTTL is how long the traces table's size (from its statistics) is trusted.
const tableRowsTTL = time.Minute

// total counts the incidents matching f: exactly when the planner expects few, else
// the planner's estimate (flagged true). Asking the planner costs a planning pass
// (0.3–0.6 ms, more than counting a small table), so it is skipped altogether while
// the whole table is small, and an unfiltered count is the table's size itself.
func (r *Repository) total(ctx context.Context, f domain.Filter) (int64, bool, error) {
	if rows, analysed, err := r.tableRows(ctx); err != nil {
		return 0, false, err
	} else if rows > estimateThreshold {
		estimate, err := r.estimate(ctx, f, rows, analysed)
		if err != nil {
			return 0, false, err
		}
		if estimate > estimateThreshold {
			return estimate, true, nil
		}
	}
	sql, args, err := compose(r.countQuery(r.session(ctx), f).Select("COUNT(*)"))
	if err != nil {
		return 0, false, translate(ctx, "count incidents", err)
	}
	var n int64
	if err := r.queryRow(ctx, "count", sql, args, &n); err != nil {
		return 0, false, translate(ctx, "count incidents", err)
	}
	return n, false, nil
}

// estimate is how many rows the planner expects f to match, without counting them:
// the table's analysed size when nothing filters, else the planner's estimate for the
// count statement. Either is remembered per filter for a minute.
func (r *Repository) estimate(ctx context.Context, f domain.Filter, tableRows int64, analysed bool) (int64, error) {
	key, memo := estimateKey(f)
	if memo {
		if rows, ok := r.estimates.get(key, time.Now()); ok {
			return rows, nil
		}
	}
	// SELECT 1, not COUNT(*): the plan's top node must be the scan whose rows count.
	sql, args, err := compose(r.countQuery(r.session(ctx), f).Select("1"))
	if err != nil {
		return 0, translate(ctx, "estimate incidents", err)
	}
	rows := tableRows // the statistics the planner would estimate an unfiltered count from
	if !analysed || len(args) > 0 || strings.Contains(sql, " WHERE ") {
		if rows, err = r.plannedRows(ctx, sql, args); err != nil {
			return 0, err
		}
	}
	if memo {
		r.estimates.put(key, rows, time.Now())
	}
	return rows, nil
}

// plannedRows asks the planner how many rows a statement returns, without running it.
func (r *Repository) plannedRows(ctx context.Context, sql string, args []any) (int64, error) {
	var plan []byte
	if err := r.queryRow(ctx, "estimate", "EXPLAIN (FORMAT JSON) "+sql, args, &plan); err != nil {
		return 0, translate(ctx, "estimate incidents", err)
	}
	var parsed []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &parsed); err != nil || len(parsed) == 0 {
		return 0, errors.Join(errors.New("postgres: estimate incidents: unreadable plan"), err)
	}
	return int64(parsed[0].Plan.Rows), nil
}

// tableSizeSQL is the traces table's row count as of its last ANALYZE, summed over its
// partitions (never-analysed ones count as large), and whether all were analysed.
const tableSizeSQL = `SELECT COALESCE(SUM(CASE WHEN c.reltuples < 0 THEN 1e9 ELSE c.reltuples END), 0)::bigint,
		COALESCE(bool_and(c.reltuples >= 0), false)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = to_regclass('resource_action_traces')`

// tableStats caches the traces table's row count from its statistics.
type tableStats struct {
	mu       sync.Mutex
	rows     int64
	analysed bool
	checked  time.Time
}

// tableRows is the traces table's row count as of its last ANALYZE (summed over its
// partitions; never-analysed partitions count as large, and then analysed is false),
// refreshed every minute.
func (r *Repository) tableRows(ctx context.Context) (rows int64, analysed bool, err error) {
	r.stats.mu.Lock()
	defer r.stats.mu.Unlock()
	if !r.stats.checked.IsZero() && time.Since(r.stats.checked) < tableRowsTTL {
		return r.stats.rows, r.stats.analysed, nil
	}
	err = r.queryRow(ctx, "table_size", tableSizeSQL, nil, &rows, &analysed)
	if err != nil {
		return 0, false, translate(ctx, "table size", err)
	}
	r.stats.rows, r.stats.analysed, r.stats.checked = rows, analysed, time.Now()
	if r.efSearchRule != nil {
		// A table never analysed keeps the rule's smallest choice.
		if !analysed {
			rows = 0
		}
		r.settings.efSearch.Store(int64(r.efSearchRule(rows)))
	}
	return r.stats.rows, analysed, nil
}
