package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// dimensionColumns maps each grouping dimension to its SQL expression and alias; the
// only way a dimension reaches SQL text.
var dimensionColumns = map[domain.Dimension]string{
	domain.DimActionType:  "rat.action_type",
	domain.DimStatus:      "rat.execution_status",
	domain.DimNamespace:   "rr.namespace",
	domain.DimSeverity:    "rat.alert_severity",
	domain.DimDay:         "date_trunc('day', rat.action_timestamp AT TIME ZONE 'UTC')",
	domain.DimName:        "rat.alert_name",
	domain.DimEnvironment: "rat.environment",
	domain.DimCluster:     "rat.cluster_name",
}

var dimensionAliases = map[domain.Dimension]string{
	domain.DimActionType:  "action_type",
	domain.DimStatus:      "status",
	domain.DimNamespace:   "namespace",
	domain.DimSeverity:    "severity",
	domain.DimDay:         "day",
	domain.DimName:        "alert_name",
	domain.DimEnvironment: "environment",
	domain.DimCluster:     "cluster_name",
}

// groupRecord is one row of an aggregation.
type groupRecord struct {
	ActionType    *string    `gorm:"column:action_type"`
	Status        *string    `gorm:"column:status"`
	Namespace     *string    `gorm:"column:namespace"`
	Severity      *string    `gorm:"column:severity"`
	Day           *time.Time `gorm:"column:day"`
	AlertName     *string    `gorm:"column:alert_name"`
	Environment   *string    `gorm:"column:environment"`
	ClusterName   *string    `gorm:"column:cluster_name"`
	Count         int64      `gorm:"column:count"`
	DurationSumMs int64      `gorm:"column:duration_sum_ms"`
	DurationCount int64      `gorm:"column:duration_count"`
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
	return out
}

// Aggregate counts the filtered join per group, in SQL.
func (r *Repository) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, error) {
	selects := make([]string, 0, len(q.GroupBy)+3)
	groups := make([]string, 0, len(q.GroupBy))
	byObject := false
	for _, d := range q.GroupBy {
		byObject = byObject || d == domain.DimNamespace
		expr, ok := dimensionColumns[d]
		if !ok {
			return nil, fmt.Errorf("postgres: aggregate: dimension %q: %w", d, domain.ErrInvalidArgument)
		}
		selects = append(selects, expr+" AS "+dimensionAliases[d])
		groups = append(groups, dimensionAliases[d])
	}
	selects = append(selects, "COUNT(*) AS count",
		"COALESCE(SUM(rat.execution_duration_ms), 0) AS duration_sum_ms",
		"COUNT(rat.execution_duration_ms) AS duration_count")
	db := r.session(ctx, "aggregate").
		Scopes(append([]scope{baseFor(q.Filter, byObject)}, filterScopes(q.Filter)...)...).
		Select(strings.Join(selects, ", "))
	if len(groups) > 0 {
		db = db.Group(strings.Join(groups, ", "))
	}
	var rows []groupRecord
	if err := db.Find(&rows).Error; err != nil {
		return nil, translate(ctx, "aggregate", err)
	}
	out := make([]domain.Group, 0, len(rows))
	for _, row := range rows {
		if row.Count > 0 { // an ungrouped count over no row still yields one row
			out = append(out, row.toDomain())
		}
	}
	return out, nil
}
