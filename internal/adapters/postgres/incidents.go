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
func (r *Repository) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	cols, err := r.columns(ctx, q.IncludeEmbedding)
	if err != nil {
		return domain.IncidentPage{}, domain.Read{}, err
	}
	// The total and the page are independent: ask for both at once, on two connections.
	type counted struct {
		n        int64
		estimate bool
		err      error
	}
	totalDone := make(chan counted, 1)
	go func() {
		n, estimate, err := r.total(ctx, q.Filter)
		totalDone <- counted{n, estimate, err}
	}()
	// One row more than the page tells whether another page follows.
	records, err := r.fetch(ctx, "list", r.pageQuery(r.session(ctx), q, cols), q.IncludeEmbedding, false)
	total := <-totalDone
	if err != nil {
		return domain.IncidentPage{}, domain.Read{}, translate(ctx, "list incidents", err)
	}
	if total.err != nil {
		return domain.IncidentPage{}, domain.Read{}, total.err
	}
	page := domain.IncidentPage{Total: total.n, TotalIsEstimate: total.estimate}
	if len(records) > q.Limit {
		records = records[:q.Limit]
		last := records[len(records)-1]
		page.Next = &domain.Cursor{StartTime: last.ActionTimestamp.UTC(), ID: last.ID}
	}
	page.Incidents = toDomainAll(records)
	return page, domain.Read{}, nil
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
	return db.Scopes(append([]scope{baseFor(f, false)}, filterScopes(f)...)...)
}

// Get returns one incident by id.
func (r *Repository) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	cols, err := r.columns(ctx, q.IncludeEmbedding)
	if err != nil {
		return domain.IncidentEvent{}, domain.Read{}, err
	}
	// rat.id is unique in practice (one sequence) though the key is (id, action_timestamp):
	// take the newest should a copy exist.
	records, err := r.fetch(ctx, "get", r.session(ctx).Scopes(joined).Select(cols).
		Where("rat.id = ?", q.ID).Order(listOrder).Limit(1), q.IncludeEmbedding, false)
	if err == nil && len(records) == 0 {
		err = gorm.ErrRecordNotFound
	}
	if err != nil {
		return domain.IncidentEvent{}, domain.Read{}, translate(ctx, fmt.Sprintf("get incident %d", q.ID), err)
	}
	return records[0].toDomain(), domain.Read{}, nil
}
