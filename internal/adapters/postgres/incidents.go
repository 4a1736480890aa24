package postgres

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/contextapi/contextapi/internal/domain"
)

// listOrder is the list order with its unique tie-breaker, matching the keyset cursor.
const listOrder = "rat.action_timestamp DESC, rat.id DESC"

// List returns one page in list order and the total number of matches.
func (r *Repository) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, error) {
	cols, err := r.columns(ctx, q.IncludeEmbedding)
	if err != nil {
		return domain.IncidentPage{}, err
	}
	var records []incidentRecord
	// One row more than the page tells whether another page follows.
	err = r.pageQuery(r.session(ctx, "list"), q, cols).Find(&records).Error
	if err != nil {
		return domain.IncidentPage{}, translate(ctx, "list incidents", err)
	}
	page := domain.IncidentPage{}
	if len(records) > q.Limit {
		records = records[:q.Limit]
		last := records[len(records)-1]
		page.Next = &domain.Cursor{StartTime: last.ActionTimestamp.UTC(), ID: last.ID}
	}
	page.Incidents = toDomainAll(records)
	if err := r.countQuery(r.session(ctx, "count"), q.Filter).Count(&page.Total).Error; err != nil {
		return domain.IncidentPage{}, translate(ctx, "count incidents", err)
	}
	return page, nil
}

// pageQuery selects one page (plus one row) of the filtered join.
func (r *Repository) pageQuery(db *gorm.DB, q domain.ListQuery, cols string) *gorm.DB {
	scopes := append([]scope{joined}, filterScopes(q.Filter)...)
	if q.After != nil {
		scopes = append(scopes, after(*q.After))
	}
	db = db.Scopes(scopes...).Select(cols).Order(listOrder).Limit(q.Limit + 1)
	if q.Offset > 0 {
		db = db.Offset(q.Offset)
	}
	return db
}

// countQuery counts the filtered join: the same WHERE as the page, no order or limit.
func (r *Repository) countQuery(db *gorm.DB, f domain.Filter) *gorm.DB {
	return db.Scopes(append([]scope{joined}, filterScopes(f)...)...)
}

// Get returns one incident by id.
func (r *Repository) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, error) {
	cols, err := r.columns(ctx, q.IncludeEmbedding)
	if err != nil {
		return domain.IncidentEvent{}, err
	}
	var rec incidentRecord
	// rat.id is unique in practice (one sequence) though the key is (id, action_timestamp):
	// take the newest should a copy exist.
	err = r.session(ctx, "get").Scopes(joined).Select(cols).
		Where("rat.id = ?", q.ID).Order(listOrder).Take(&rec).Error
	if err != nil {
		return domain.IncidentEvent{}, translate(ctx, fmt.Sprintf("get incident %d", q.ID), err)
	}
	return rec.toDomain(), nil
}
