package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/contextapi/contextapi/internal/domain"
)

// List paging limits of docs/api.md §3.2.
const (
	defaultListLimit = 10
	maxListLimit     = 100
	maxListOffset    = 10_000
)

const (
	paramLimit   = "limit"
	paramOffset  = "offset"
	paramCursor  = "cursor"
	paramInclude = "include"
	paramID      = "id"

	includeEmbedding = "embedding"
)

var listParams = []string{paramLimit, paramOffset, paramCursor, paramInclude}

// ListIncidents returns one page of incidents (docs/api.md §3.2).
func (s *Service) ListIncidents(ctx context.Context, p Params) (ListResult, domain.Validity, error) {
	r := newParamReader(p, filterParams, listParams)
	r.rejectUnknown()
	q := domain.ListQuery{
		Filter:           r.filter(),
		Limit:            r.intIn(paramLimit, defaultListLimit, 1, maxListLimit),
		Offset:           r.intIn(paramOffset, 0, 0, maxListOffset),
		IncludeEmbedding: r.include(),
	}
	if token, ok := r.single(paramCursor); ok {
		if _, hasOffset := p[paramOffset]; hasOffset {
			r.errs.Add(paramCursor, "cannot be combined with offset")
		} else if c, err := s.cursors.Decode(token); err != nil {
			r.errs.Add(paramCursor, err.Error())
		} else {
			q.After = &c
		}
	}
	if err := r.errs.Err(); err != nil {
		return ListResult{}, domain.Validity{}, err
	}
	page, read, err := s.incidents.List(ctx, q)
	if err != nil {
		return ListResult{}, domain.Validity{}, fmt.Errorf("app: list incidents: %w", err)
	}
	res := ListResult{
		Incidents:       page.Incidents,
		Total:           page.Total,
		TotalIsEstimate: page.TotalIsEstimate,
		Limit:           q.Limit,
		Offset:          q.Offset,
	}
	if res.Incidents == nil {
		res.Incidents = []domain.IncidentEvent{}
	}
	if page.Next != nil {
		res.NextCursor = s.cursors.Encode(*page.Next)
	}
	var v domain.Validity
	v.Add(read)
	return res, v, nil
}

// GetIncident returns one incident by its id (a positive integer in text).
func (s *Service) GetIncident(ctx context.Context, id string, p Params) (domain.IncidentEvent, domain.Validity, error) {
	r := newParamReader(p, []string{paramInclude})
	r.rejectUnknown()
	q := domain.GetQuery{ID: parseID(r, id), IncludeEmbedding: r.include()}
	if err := r.errs.Err(); err != nil {
		return domain.IncidentEvent{}, domain.Validity{}, err
	}
	e, read, err := s.incidents.Get(ctx, q)
	if err != nil {
		return domain.IncidentEvent{}, domain.Validity{}, fmt.Errorf("app: get incident: %w", err)
	}
	var v domain.Validity
	v.Add(read)
	return e, v, nil
}

// include reads include=embedding, the only value include takes.
func (r *paramReader) include() bool {
	s, ok := r.single(paramInclude)
	if !ok {
		return false
	}
	if s != includeEmbedding {
		r.errs.Add(paramInclude, "must be embedding")
		return false
	}
	return true
}

// parseID reads a path id: a positive 64-bit integer in plain decimal.
func parseID(r *paramReader, s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || s[0] == '+' {
		r.errs.Add(paramID, "must be a positive integer")
		return 0
	}
	return id
}
