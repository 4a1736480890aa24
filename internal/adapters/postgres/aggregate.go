package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextapi/contextapi/internal/domain"
)

// dimension is how one grouping dimension reaches SQL and back: its expression, its
// alias, and where its value lands in a row.
type dimension struct {
	expr, alias string
	target      func(*groupRecord) any
}

// dimensions is the only way a dimension reaches SQL text.
var dimensions = map[domain.Dimension]dimension{
	domain.DimActionType:  {"rat.action_type", "action_type", func(g *groupRecord) any { return &g.ActionType }},
	domain.DimStatus:      {"rat.execution_status", "status", func(g *groupRecord) any { return &g.Status }},
	domain.DimNamespace:   {"rr.namespace", "namespace", func(g *groupRecord) any { return &g.Namespace }},
	domain.DimSeverity:    {"rat.alert_severity", "severity", func(g *groupRecord) any { return &g.Severity }},
	domain.DimDay:         {"date_trunc('day', rat.action_timestamp AT TIME ZONE 'UTC')", "day", func(g *groupRecord) any { return &g.Day }},
	domain.DimHour:        {"date_trunc('hour', rat.action_timestamp AT TIME ZONE 'UTC')", "hour", func(g *groupRecord) any { return &g.Hour }},
	domain.DimName:        {"rat.alert_name", "alert_name", func(g *groupRecord) any { return &g.AlertName }},
	domain.DimEnvironment: {"rat.environment", "environment", func(g *groupRecord) any { return &g.Environment }},
	domain.DimCluster:     {"rat.cluster_name", "cluster_name", func(g *groupRecord) any { return &g.ClusterName }},
}

// groupRecord is one row of an aggregation (see targets for the column order).
type groupRecord struct {
	ActionType    *string
	Status        *string
	Namespace     *string
	Severity      *string
	Day           *time.Time
	Hour          *time.Time
	AlertName     *string
	Environment   *string
	ClusterName   *string
	Count         int64
	DurationSumMs int64
	DurationCount int64
}

func (g groupRecord) toDomain() domain.Group {
	out := domain.Group{
		Key: domain.GroupKey{Status: g.Status, Namespace: g.Namespace,
			Environment: g.Environment, ClusterName: g.ClusterName},
		Count: g.Count, DurationSumMs: g.DurationSumMs, DurationCount: g.DurationCount,
	}
	if g.ActionType != nil {
		out.Key.ActionType = *g.ActionType
	}
	if g.Severity != nil {
		out.Key.Severity = *g.Severity
	}
	if g.AlertName != nil {
		out.Key.Name = *g.AlertName
	}
	if g.Day != nil {
		d := g.Day.UTC()
		out.Key.Day = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	}
	if g.Hour != nil {
		h := g.Hour.UTC()
		out.Key.Hour = time.Date(h.Year(), h.Month(), h.Day(), h.Hour(), 0, 0, 0, time.UTC)
	}
	return out
}

// Aggregate counts the filtered join per group, in SQL.
func (r *Repository) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	selects := make([]string, 0, len(q.GroupBy)+3)
	groups := make([]string, 0, len(q.GroupBy))
	byObject := false
	for _, d := range q.GroupBy {
		byObject = byObject || d == domain.DimNamespace
		dim, ok := dimensions[d]
		if !ok {
			return nil, domain.Read{}, fmt.Errorf("postgres: aggregate: dimension %q: %w", d, domain.ErrInvalidArgument)
		}
		selects = append(selects, dim.expr+" AS "+dim.alias)
		groups = append(groups, dim.alias)
	}
	selects = append(selects, "COUNT(*) AS count",
		"COALESCE(SUM(rat.execution_duration_ms), 0) AS duration_sum_ms",
		"COUNT(rat.execution_duration_ms) AS duration_count")
	db := r.session(ctx).
		Scopes(append([]scope{baseFor(q.Filter, byObject)}, filterScopes(q.Filter)...)...).
		Select(strings.Join(selects, ", "))
	if len(groups) > 0 {
		db = db.Group(strings.Join(groups, ", "))
	}
	sql, args, err := compose(db)
	if err != nil {
		return nil, domain.Read{}, translate(ctx, "aggregate", err)
	}
	out, err := r.fetchGroups(ctx, sql, args, q.GroupBy)
	if err != nil {
		return nil, domain.Read{}, translate(ctx, "aggregate", err)
	}
	return out, domain.Read{}, nil
}

// fetchGroups reads an aggregation's rows with pgx: the dimensions in order, then the
// count, duration sum and duration count. It is planned for its window every time: the
// same statement serves windows of an hour (the cache's day partials) and of a year.
func (r *Repository) fetchGroups(ctx context.Context, sql string, args []any, dims []domain.Dimension) (out []domain.Group, err error) {
	ctx, stmt := r.statement(withCustomPlans(ctx), "aggregate")
	defer func() { stmt.end(err) }()
	err = r.each(ctx, sql, args, func(rows pgx.Rows) error {
		var g groupRecord
		if err := rows.Scan(g.targets(dims)...); err != nil {
			return err
		}
		if g.Count > 0 { // an ungrouped count over no row still yields one row
			out = append(out, g.toDomain())
		}
		return nil
	})
	return out, err
}

// targets are the scan destinations of one aggregation row, in select-list order
// (Aggregate has checked every dimension).
func (g *groupRecord) targets(dims []domain.Dimension) []any {
	t := make([]any, 0, len(dims)+3)
	for _, d := range dims {
		t = append(t, dimensions[d].target(g))
	}
	return append(t, &g.Count, &g.DurationSumMs, &g.DurationCount)
}
