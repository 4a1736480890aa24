package mcp

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// Service is the Backend of the service's own /mcp endpoint: the application service
// the HTTP API uses, so every rule (validation, defaults, limits, caching) is the
// same. Its errors are the app's, which Describe turns into problem titles and details.
type Service struct {
	svc *app.Service
}

var _ Backend = (*Service)(nil)

// NewService returns the Backend reading svc.
func NewService(svc *app.Service) *Service { return &Service{svc: svc} }

// ListIncidents lists one page of incidents (docs/api.md §3.2).
func (s *Service) ListIncidents(ctx context.Context, in ListInput) (IncidentList, error) {
	p := in.params()
	setInt(p, "limit", in.Limit)
	if in.Cursor != "" {
		p["cursor"] = []string{in.Cursor}
	}
	res, _, err := s.svc.ListIncidents(ctx, p)
	if err != nil {
		return IncidentList{}, fmt.Errorf("mcp: list incidents: %w", err)
	}
	out := IncidentList{
		Incidents: make([]Incident, len(res.Incidents)), Total: res.Total, TotalIsEstimate: res.TotalIsEstimate,
		Limit: res.Limit, Offset: res.Offset,
	}
	for i, e := range res.Incidents {
		if out.Incidents[i], err = newIncident(e); err != nil {
			return IncidentList{}, fmt.Errorf("mcp: list incidents: %w", err)
		}
	}
	if res.NextCursor != "" {
		out.NextCursor = &res.NextCursor
	}
	return out, nil
}

// GetIncident returns one incident.
func (s *Service) GetIncident(ctx context.Context, id int64) (Incident, error) {
	e, _, err := s.svc.GetIncident(ctx, strconv.FormatInt(id, 10), nil)
	if err == nil {
		var inc Incident
		if inc, err = newIncident(e); err == nil {
			return inc, nil
		}
	}
	return Incident{}, fmt.Errorf("mcp: get incident: %w", err)
}

// SimilarIncidents returns the incidents nearest to incident id (docs/api.md §3.3).
func (s *Service) SimilarIncidents(ctx context.Context, id int64, in SimilarInput) (SimilarList, error) {
	p := in.params()
	setInt(p, "limit", in.Limit)
	if in.Threshold != nil {
		p["threshold"] = []string{strconv.FormatFloat(*in.Threshold, 'f', -1, 64)}
	}
	res, _, err := s.svc.SimilarIncidents(ctx, strconv.FormatInt(id, 10), p)
	if err != nil {
		return SimilarList{}, fmt.Errorf("mcp: similar incidents: %w", err)
	}
	found, err := newSimilar(res.Incidents)
	if err != nil {
		return SimilarList{}, fmt.Errorf("mcp: similar incidents: %w", err)
	}
	return SimilarList{Incidents: found, Limit: res.Limit}, nil
}

// RecoveryContext returns the recovery context of a remediation request (docs/api.md §3.5).
func (s *Service) RecoveryContext(ctx context.Context, rrid string) (RecoveryContext, error) {
	rc, _, err := s.svc.RecoveryContext(ctx, rrid, nil)
	if err != nil {
		return RecoveryContext{}, fmt.Errorf("mcp: recovery context: %w", err)
	}
	out, err := newRecoveryContext(rc)
	if err != nil {
		return RecoveryContext{}, fmt.Errorf("mcp: recovery context: %w", err)
	}
	return out, nil
}

// HistoricalContext returns one object's history (docs/api.md §3.7).
func (s *Service) HistoricalContext(ctx context.Context, in HistoricalInput) (HistoricalContext, error) {
	p := app.Params{"namespace": {in.Namespace}, "targetType": {in.Kind}, "targetName": {in.Name}}
	if in.TimeRange != "" {
		p["timeRange"] = []string{in.TimeRange}
	}
	hc, _, err := s.svc.HistoricalContext(ctx, p)
	if err != nil {
		return HistoricalContext{}, fmt.Errorf("mcp: historical context: %w", err)
	}
	return newHistoricalContext(hc), nil
}

// SuccessRate returns the success rate overall and per action type (docs/api.md §3.4).
func (s *Service) SuccessRate(ctx context.Context, f Filters) (SuccessRates, error) {
	sr, _, err := s.svc.SuccessRate(ctx, f.params())
	if err != nil {
		return SuccessRates{}, fmt.Errorf("mcp: success rate: %w", err)
	}
	out := SuccessRates{
		By: ByActionType, Total: sr.Total, Succeeded: sr.Succeeded, Failed: sr.Failed, InProgress: sr.InProgress,
		SuccessRate: sr.Rate, Groups: make([]RateGroup, len(sr.ByActionType)),
	}
	for i, a := range sr.ByActionType {
		out.Groups[i] = RateGroup{Key: &a.ActionType, Total: a.Total, Succeeded: a.Succeeded, Failed: a.Failed, SuccessRate: a.Rate}
	}
	return out, nil
}

// NamespaceCounts returns the outcomes per namespace.
func (s *Service) NamespaceCounts(ctx context.Context, f Filters) ([]RateGroup, error) {
	counts, _, err := s.svc.Namespaces(ctx, f.params())
	if err != nil {
		return nil, fmt.Errorf("mcp: namespace counts: %w", err)
	}
	out := make([]RateGroup, len(counts))
	for i, c := range counts {
		out[i] = RateGroup{Key: c.Namespace, Total: c.Count, Succeeded: c.Succeeded, Failed: c.Failed}
	}
	return out, nil
}

// SeverityCounts returns the incidents per severity.
func (s *Service) SeverityCounts(ctx context.Context, f Filters) ([]RateGroup, error) {
	counts, _, err := s.svc.Severity(ctx, f.params())
	if err != nil {
		return nil, fmt.Errorf("mcp: severity counts: %w", err)
	}
	out := make([]RateGroup, len(counts))
	for i, c := range counts {
		out[i] = RateGroup{Key: &c.Severity, Total: c.Count}
	}
	return out, nil
}

// params are the filters as the app's raw parameters; the app validates them as it does
// the HTTP API's query strings.
func (f Filters) params() app.Params {
	p := app.Params{}
	for name, values := range map[string][]string{
		"namespace": f.Namespace, "cluster_name": f.ClusterName, "environment": f.Environment,
		"action_type": f.ActionType, "severity": f.Severity, "phase": f.Phase, "status": f.Status,
		"name": f.Name, "alert_fingerprint": f.AlertFingerprint,
	} {
		if len(values) > 0 {
			p[name] = values
		}
	}
	if f.Since != "" {
		p["since"] = []string{f.Since}
	}
	if f.Until != "" {
		p["until"] = []string{f.Until}
	}
	return p
}

func setInt(p app.Params, name string, n *int) {
	if n != nil {
		p[name] = []string{strconv.Itoa(*n)}
	}
}

// SemanticRequest is the search find_similar_incidents asks for, as the app's semantic
// search takes it; the caller adds the query.
func (in SimilarInput) SemanticRequest() app.SemanticRequest {
	return app.SemanticRequest{Limit: in.Limit, Threshold: in.Threshold, Filters: in.params()}
}

// SimilarToText runs the app's semantic search with text as its query (docs/api.md
// §3.3): the app embeds it, or says why it cannot.
func (s *Service) SimilarToText(ctx context.Context, text string, in SimilarInput) (SimilarList, error) {
	req := in.SemanticRequest()
	req.Query = text
	found, err := s.SemanticSearch(ctx, req)
	var invalid *domain.ValidationError
	if errors.As(err, &invalid) {
		// The app names the HTTP body's field; the tool's argument is text.
		for i, f := range invalid.Fields {
			if f.Field == "query" {
				invalid.Fields[i].Field = "text"
			}
		}
	}
	return found, err
}

// SemanticSearch runs the app's semantic search (docs/api.md §3.3).
func (s *Service) SemanticSearch(ctx context.Context, req app.SemanticRequest) (SimilarList, error) {
	res, _, err := s.svc.SemanticSearch(ctx, req)
	if err != nil {
		return SimilarList{}, fmt.Errorf("mcp: semantic search: %w", err)
	}
	found, err := newSimilar(res.Incidents)
	if err != nil {
		return SimilarList{}, fmt.Errorf("mcp: semantic search: %w", err)
	}
	return SimilarList{Incidents: found, Limit: res.Limit}, nil
}
