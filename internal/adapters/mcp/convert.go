package mcp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// newIncident renders an incident as the HTTP API does, without its embedding.
func newIncident(e domain.IncidentEvent) (Incident, error) {
	inc := Incident{
		ID: e.ID, Name: e.Name, AlertFingerprint: e.AlertFingerprint, RemediationRequestID: e.RemediationRequestID,
		Namespace: e.Namespace, ClusterName: e.ClusterName, Environment: e.Environment,
		TargetResource: e.TargetResource, TargetName: e.TargetName, Phase: string(e.Phase()), Status: e.Status,
		Severity: e.Severity, ActionType: e.ActionType, StartTime: e.StartTime.UTC(), EndTime: utc(e.EndTime),
		Duration: e.DurationMs, ErrorMessage: e.ErrorMessage, CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt),
	}
	if len(e.Metadata) > 0 {
		if err := json.Unmarshal(e.Metadata, &inc.Metadata); err != nil {
			return Incident{}, fmt.Errorf("incident %d: metadata: %w", e.ID, err)
		}
	}
	return inc, nil
}

func newSimilar(found []domain.ScoredIncident) ([]SimilarIncident, error) {
	out := make([]SimilarIncident, len(found))
	for i, f := range found {
		inc, err := newIncident(f.Incident)
		if err != nil {
			return nil, err
		}
		out[i] = SimilarIncident{Incident: inc, Similarity: f.Similarity}
	}
	return out, nil
}

func newRecoveryContext(rc app.RecoveryContext) (RecoveryContext, error) {
	inc, err := newIncident(rc.Incident)
	if err != nil {
		return RecoveryContext{}, err
	}
	out := RecoveryContext{
		Incident:         inc,
		PreviousAttempts: make([]Incident, len(rc.PreviousAttempts)),
		ActionOutcomes:   make([]ActionOutcome, len(rc.ActionOutcomes)),
		SuggestedActions: make([]SuggestedAction, len(rc.SuggestedActions)),
	}
	for i, e := range rc.PreviousAttempts {
		if out.PreviousAttempts[i], err = newIncident(e); err != nil {
			return RecoveryContext{}, err
		}
	}
	if out.SimilarIncidents, err = newSimilar(rc.SimilarIncidents); err != nil {
		return RecoveryContext{}, err
	}
	for i, o := range rc.ActionOutcomes {
		out.ActionOutcomes[i] = ActionOutcome{ActionType: o.ActionType, Total: o.Total, Succeeded: o.Succeeded, Failed: o.Failed, SuccessRate: o.Rate}
	}
	for i, a := range rc.SuggestedActions {
		out.SuggestedActions[i] = SuggestedAction{ActionType: a.ActionType, SuccessRate: a.Rate, Samples: a.Samples}
	}
	return out, nil
}

func newHistoricalContext(hc app.HistoricalContext) HistoricalContext {
	out := HistoricalContext{
		Available:           true,
		SuccessRates:        make(map[string]HistoricalRate, len(hc.SuccessRates)),
		SimilarIncidents:    make([]HistoricalIncident, len(hc.SimilarIncidents)),
		EnvironmentPatterns: hc.Patterns,
	}
	for _, r := range hc.SuccessRates {
		out.SuccessRates[r.ActionType] = HistoricalRate{SuccessRate: r.Percent, TotalAttempts: r.TotalAttempts, AvgDuration: r.AvgDurationSeconds}
	}
	for i, h := range hc.SimilarIncidents {
		out.SimilarIncidents[i] = HistoricalIncident{
			IncidentID: strconv.FormatInt(h.ID, 10), RemediationAction: h.ActionType, Outcome: string(h.Outcome),
			SimilarityScore: h.Similarity, Timestamp: h.StartTime.UTC(),
		}
	}
	if out.EnvironmentPatterns == nil {
		out.EnvironmentPatterns = map[string]string{}
	}
	return out
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
