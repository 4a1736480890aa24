package contenders

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/contextapi/contextapi/bench/internal/statements"
)

// aggregate serves the four aggregations with the service's GROUP BY statements,
// folded in Go as the service's app layer folds them.
func (b *handwritten) aggregate(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	q := r.URL.Query()
	extra := []string{}
	if kind == "trend" {
		extra = append(extra, "days")
	}
	f, err := parseFilter(q, extra...)
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	ctx := r.Context()
	var answer any
	switch kind {
	case "success-rate":
		var g []group
		if g, err = b.groups(ctx, f, "action_type", "status"); err == nil {
			answer = successRateJSON(g)
		}
	case "namespaces":
		var g []group
		if g, err = b.groups(ctx, f, "namespace", "status"); err == nil {
			answer = namespacesJSON(g)
		}
	case "severity":
		var g []group
		if g, err = b.groups(ctx, f, "severity"); err == nil {
			answer = severityJSON(g)
		}
	case "trend":
		answer, err = b.trend(ctx, q, f)
	default:
		httpError(w, http.StatusNotFound, errors.New("unknown aggregation"))
		return
	}
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		httpError(w, http.StatusBadRequest, err)
	case err != nil:
		httpError(w, http.StatusInternalServerError, err)
	default:
		writeJSONBody(w, answer)
	}
}

type badRequest struct{ error }

// trend narrows the filter to the days ending today (UTC), as the service does.
func (b *handwritten) trend(ctx context.Context, q map[string][]string, f statements.Filter) (any, error) {
	days, err := intParam(q, "days", 30, 1, 365)
	if err != nil {
		return nil, badRequest{err}
	}
	const day = 24 * time.Hour
	today := time.Now().UTC().Truncate(day)
	first, end := today.Add(-time.Duration(days-1)*day), today.Add(day)
	if f.Since == nil || f.Since.Before(first) {
		f.Since = &first
	}
	if f.Until == nil || f.Until.After(end) {
		f.Until = &end
	}
	var g []group
	if f.Since.Before(*f.Until) {
		if g, err = b.groups(ctx, f, "day"); err != nil {
			return nil, err
		}
	}
	return trendJSON(g, first, days), nil
}

func (b *handwritten) groups(ctx context.Context, f statements.Filter, dims ...string) ([]group, error) {
	b.count("aggregate")
	return queryGroups(ctx, b.pool, b.sql, f, dims...)
}

// queryGroups runs one aggregation statement; an ungrouped count over no row, which
// still yields a row, yields no group.
func queryGroups(ctx context.Context, pool *pgxpool.Pool, set *statements.Set, f statements.Filter, dims ...string) ([]group, error) {
	sql, args := set.Aggregate(f, dims...)
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []group
	for rows.Next() {
		g := group{key: map[string]*string{}}
		dest := make([]any, 0, len(dims)+3)
		vals := make([]*string, len(dims))
		for i, d := range dims {
			if d == "day" {
				dest = append(dest, &g.day)
			} else {
				dest = append(dest, &vals[i])
			}
		}
		dest = append(dest, &g.count, &g.durSum, &g.durCount)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, d := range dims {
			if d != "day" {
				g.key[d] = vals[i]
			}
		}
		if g.count > 0 {
			out = append(out, g)
		}
	}
	return out, rows.Err()
}
