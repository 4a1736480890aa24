package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/client"
	"github.com/contextapi/contextapi/internal/domain"
)

// Remote is the Backend of `contextapi mcp`: a running service, through the public Go
// client. The service applies every rule; refusals come back as *client.Problem, which
// Describe passes on with the service's own title and detail.
type Remote struct {
	api *client.Client
}

var _ Backend = (*Remote)(nil)

// NewRemote returns the Backend asking the service behind api.
func NewRemote(api *client.Client) *Remote { return &Remote{api: api} }

// ListIncidents lists one page of incidents.
func (r *Remote) ListIncidents(ctx context.Context, in ListInput) (IncidentList, error) {
	f, err := in.client()
	if err != nil {
		return IncidentList{}, fmt.Errorf("mcp: list incidents: %w", err)
	}
	page, err := r.api.ListIncidents(ctx, client.ListOptions{Filters: f, Limit: deref(in.Limit), Cursor: in.Cursor})
	return reshaped[IncidentList]("list incidents", page, err)
}

// GetIncident returns one incident.
func (r *Remote) GetIncident(ctx context.Context, id int64) (Incident, error) {
	inc, err := r.api.GetIncident(ctx, id, client.GetOptions{})
	return reshaped[Incident]("get incident", inc, err)
}

// SimilarIncidents returns the incidents nearest to incident id.
func (r *Remote) SimilarIncidents(ctx context.Context, id int64, in SimilarInput) (SimilarList, error) {
	f, err := in.client()
	if err != nil {
		return SimilarList{}, fmt.Errorf("mcp: similar incidents: %w", err)
	}
	res, err := r.api.SimilarIncidents(ctx, id, client.SimilarOptions{Filters: f, Limit: deref(in.Limit), Threshold: in.Threshold})
	return reshaped[SimilarList]("similar incidents", res, err)
}

// SimilarToText returns the incidents nearest to a description the service embeds.
func (r *Remote) SimilarToText(ctx context.Context, text string, in SimilarInput) (SimilarList, error) {
	f, err := in.client()
	if err != nil {
		return SimilarList{}, fmt.Errorf("mcp: similar to text: %w", err)
	}
	res, err := r.api.SemanticSearch(ctx, client.SemanticSearchRequest{Query: text, Filters: f, Limit: deref(in.Limit), Threshold: in.Threshold})
	return reshaped[SimilarList]("similar to text", res, err)
}

// RecoveryContext returns the recovery context of a remediation request.
func (r *Remote) RecoveryContext(ctx context.Context, rrid string) (RecoveryContext, error) {
	rc, err := r.api.RecoveryContext(ctx, rrid, client.RecoveryOptions{})
	return reshaped[RecoveryContext]("recovery context", rc, err)
}

// HistoricalContext returns one object's history.
func (r *Remote) HistoricalContext(ctx context.Context, in HistoricalInput) (HistoricalContext, error) {
	span, err := timeRange(in.TimeRange)
	if err != nil {
		return HistoricalContext{}, fmt.Errorf("mcp: historical context: %w", err)
	}
	hc, err := r.api.HistoricalContext(ctx, client.HistoricalQuery{
		Namespace: in.Namespace, TargetType: in.Kind, TargetName: in.Name, TimeRange: span,
	})
	return reshaped[HistoricalContext]("historical context", hc, err)
}

// SuccessRate returns the success rate overall and per action type.
func (r *Remote) SuccessRate(ctx context.Context, f Filters) (SuccessRates, error) {
	cf, err := f.client()
	if err != nil {
		return SuccessRates{}, fmt.Errorf("mcp: success rate: %w", err)
	}
	sr, err := r.api.SuccessRate(ctx, cf)
	if err != nil {
		return SuccessRates{}, remoteError("success rate", err)
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
func (r *Remote) NamespaceCounts(ctx context.Context, f Filters) ([]RateGroup, error) {
	cf, err := f.client()
	if err != nil {
		return nil, fmt.Errorf("mcp: namespace counts: %w", err)
	}
	nc, err := r.api.NamespaceCounts(ctx, cf)
	if err != nil {
		return nil, remoteError("namespace counts", err)
	}
	out := make([]RateGroup, len(nc.Groups))
	for i, g := range nc.Groups {
		out[i] = RateGroup{Key: g.Namespace, Total: g.Count, Succeeded: g.Succeeded, Failed: g.Failed}
	}
	return out, nil
}

// SeverityCounts returns the incidents per severity, in no order (the service's answer
// is a JSON object).
func (r *Remote) SeverityCounts(ctx context.Context, f Filters) ([]RateGroup, error) {
	cf, err := f.client()
	if err != nil {
		return nil, fmt.Errorf("mcp: severity counts: %w", err)
	}
	sc, err := r.api.SeverityCounts(ctx, cf)
	if err != nil {
		return nil, remoteError("severity counts", err)
	}
	out := make([]RateGroup, 0, len(sc.Distribution))
	for severity, n := range sc.Distribution {
		out = append(out, RateGroup{Key: &severity, Total: n})
	}
	return out, nil
}

// reshaped converts the client's answer into the tool's output type through JSON: both
// have the HTTP API's shape by construction (a test compares Remote with Service), and
// members the tools leave out, such as embeddings, are dropped.
func reshaped[T any](op string, answer any, err error) (T, error) {
	var out T
	if err != nil {
		return out, remoteError(op, err)
	}
	b, err := json.Marshal(answer)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		return out, fmt.Errorf("mcp: %s: reshape the answer: %w", op, err)
	}
	return out, nil
}

// client returns the filters as the client's, refusing bad times as the service would.
func (f Filters) client() (client.Filters, error) {
	out := client.Filters{
		Namespace: f.Namespace, ClusterName: f.ClusterName, Environment: f.Environment, ActionType: f.ActionType,
		Severity: f.Severity, Phase: f.Phase, Status: f.Status, Name: f.Name, AlertFingerprint: f.AlertFingerprint,
	}
	errs := &domain.ValidationError{}
	for _, b := range []struct {
		name, value string
		t           *time.Time
	}{{"since", f.Since, &out.Since}, {"until", f.Until, &out.Until}} {
		if b.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, b.value)
		if err != nil {
			errs.Add(b.name, "must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z")
		}
		*b.t = t
	}
	return out, errs.Err()
}

// timeRange reads 30d or 12h as a duration for the client, which writes it back the
// same way; the service checks the bounds. The input schema admits nothing else.
func timeRange(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	unit := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour}[s[len(s)-1:]]
	n, err := strconv.Atoi(strings.TrimRight(s[:len(s)-1], " "))
	if unit == 0 || err != nil || n < 1 {
		return 0, &domain.FieldError{Field: "time_range", Reason: "must be a number of days or hours such as 30d or 12h, at most 365d"}
	}
	return time.Duration(n) * unit, nil
}

func deref(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}
