package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// fetch runs a SELECT that GORM composed and reads its rows with pgx directly: GORM's
// reflection-based scan costs about a third of pgx's throughput on list pages
// (docs/targets.md). The statement, its placeholders and its arguments are GORM's; only
// the reading differs. The select list must be incidentColumns, then the embedding
// when withEmbedding, then the distance when withDistance.
func (r *Repository) fetch(ctx context.Context, op string, db *gorm.DB, withEmbedding, withDistance bool) (out []incidentRecord, err error) {
	sql, args, err := compose(db)
	if err != nil {
		return nil, err
	}
	ctx, stmt := r.statement(ctx, op)
	defer func() { stmt.end(err) }()
	err = r.each(ctx, sql, args, func(rows pgx.Rows) error {
		var rec incidentRecord
		if err := rows.Scan(rec.targets(withEmbedding, withDistance)...); err != nil {
			return err
		}
		out = append(out, rec)
		return nil
	})
	return out, err
}

// targets are the scan destinations of one row, in select-list order.
func (r *incidentRecord) targets(withEmbedding, withDistance bool) []any {
	t := []any{
		&r.ID, &r.AlertName, &r.AlertFingerprint, &r.ActionID, &r.Namespace, &r.ClusterName,
		&r.Environment, &r.Kind, &r.Name, &r.ExecutionStatus, &r.AlertSeverity, &r.ActionType,
		&r.ActionTimestamp, &r.ExecutionEndTime, &r.ExecutionDurationMs, &r.ExecutionError,
		&r.Metadata, &r.CreatedAt, &r.UpdatedAt,
	}
	if withEmbedding {
		t = append(t, &r.Embedding)
	}
	if withDistance {
		t = append(t, &r.Distance)
	}
	return t
}

// compose returns the SELECT GORM builds for db, without sending it. Every query
// names its select list, so the destination given here only drives composition.
func compose(db *gorm.DB) (string, []any, error) {
	stmt := db.Session(&gorm.Session{DryRun: true}).Find(&[]int64{}).Statement
	if stmt.Error != nil {
		return "", nil, stmt.Error
	}
	return stmt.SQL.String(), stmt.Vars, nil
}
