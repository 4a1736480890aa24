// Package memory is an in-memory implementation of the repository ports: the embedded
// store the service runs on when no database is configured, the backend of unit tests, and
// the reference behaviour the PostgreSQL adapter is checked against.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

var _ ports.Repository = (*Repository)(nil)

// Repository holds incidents in memory. It never changes after NewRepository, so any
// number of goroutines may read it at once without locking.
type Repository struct {
	// events are deep copies of the input in list order (start time desc, id desc).
	events []domain.IncidentEvent
	// norms[i] is the Euclidean norm of events[i].Embedding, computed once because every
	// search needs it; 0 when there is no usable embedding.
	norms []float64
	// byID maps an id to its index in events; with duplicate ids the first in list order
	// (the newest) wins.
	byID map[int64]int
}

// NewRepository returns a repository holding deep copies of events (times in UTC), so the
// caller may keep changing its slice.
func NewRepository(events []domain.IncidentEvent) *Repository {
	r := &Repository{
		events: make([]domain.IncidentEvent, 0, len(events)),
		norms:  make([]float64, 0, len(events)),
		byID:   make(map[int64]int, len(events)),
	}
	for _, e := range events {
		r.events = append(r.events, toUTC(e.Clone()))
	}
	slices.SortStableFunc(r.events, compareListOrder)
	for i := range r.events {
		r.norms = append(r.norms, norm(r.events[i].Embedding))
		if _, dup := r.byID[r.events[i].ID]; !dup {
			r.byID[r.events[i].ID] = i
		}
	}
	return r
}

// List returns one page of the incidents matching q.Filter in list order.
func (r *Repository) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	if err := ctx.Err(); err != nil {
		return domain.IncidentPage{}, domain.Read{}, fmt.Errorf("memory: list incidents: %w", err)
	}
	if q.Limit < 1 || q.Offset < 0 {
		return domain.IncidentPage{}, domain.Read{}, fmt.Errorf("memory: list incidents: limit %d, offset %d: %w",
			q.Limit, q.Offset, domain.ErrInvalidArgument)
	}
	page := domain.IncidentPage{Incidents: make([]domain.IncidentEvent, 0, min(q.Limit, len(r.events)))}
	skip := q.Offset
	more := false
	for i := range r.events {
		e := &r.events[i]
		if !matches(e, &q.Filter) {
			continue
		}
		page.Total++
		switch {
		case q.After != nil && !isAfter(e, *q.After):
			// On or before the cursor: counted in Total, not returned.
		case skip > 0:
			skip--
		case len(page.Incidents) < q.Limit:
			page.Incidents = append(page.Incidents, export(e, q.IncludeEmbedding))
		default:
			more = true
		}
	}
	if more {
		last := page.Incidents[len(page.Incidents)-1]
		page.Next = &domain.Cursor{StartTime: last.StartTime, ID: last.ID}
	}
	return page, domain.Read{}, nil
}

// Get returns the incident with q.ID, or an error wrapping domain.ErrNotFound.
func (r *Repository) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	if err := ctx.Err(); err != nil {
		return domain.IncidentEvent{}, domain.Read{}, fmt.Errorf("memory: get incident %d: %w", q.ID, err)
	}
	i, ok := r.byID[q.ID]
	if !ok {
		return domain.IncidentEvent{}, domain.Read{}, fmt.Errorf("memory: get incident %d: %w", q.ID, domain.ErrNotFound)
	}
	return export(&r.events[i], q.IncludeEmbedding), domain.Read{}, nil
}

// Ping reports that memory is always there, unless the caller has given up.
func (r *Repository) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: ping: %w", err)
	}
	return nil
}

// compareListOrder orders incidents by start time descending, then id descending: the
// list order, unique as long as ids are.
func compareListOrder(a, b domain.IncidentEvent) int {
	if c := b.StartTime.Compare(a.StartTime); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// isAfter reports whether e comes strictly after the cursor position in list order.
func isAfter(e *domain.IncidentEvent, c domain.Cursor) bool {
	if c := e.StartTime.Compare(c.StartTime); c != 0 {
		return c < 0
	}
	return e.ID < c.ID
}

// export copies a stored incident for a caller, who must never share our storage; the
// embedding travels only when asked for, as with the database adapters.
func export(e *domain.IncidentEvent, includeEmbedding bool) domain.IncidentEvent {
	c := *e
	if !includeEmbedding {
		c.Embedding = nil
	}
	return c.Clone()
}

// toUTC puts every time of e in UTC, the form the database adapters return.
func toUTC(e domain.IncidentEvent) domain.IncidentEvent {
	e.StartTime = e.StartTime.UTC()
	for _, t := range []*time.Time{e.EndTime, e.CreatedAt, e.UpdatedAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return e
}

// norm is the Euclidean norm of v in float64, or 0 when v has no usable direction (nil,
// all zeros, or holding a non-finite value).
func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	n := math.Sqrt(s)
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return 0
	}
	return n
}
