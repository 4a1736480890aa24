package httpapi

import (
	"strconv"

	"github.com/contextapi/contextapi/internal/app"
)

// recoveryContextResponse is the recovery context of docs/api.md §3.5.
type recoveryContextResponse struct {
	Incident         incidentResponse          `json:"incident"`
	PreviousAttempts []incidentResponse        `json:"previous_attempts"`
	SimilarIncidents []similarIncidentResponse `json:"similar_incidents"`
	ActionOutcomes   []actionOutcomeResponse   `json:"action_outcomes"`
	SuggestedActions []suggestedActionResponse `json:"suggested_actions"`
}

// actionOutcomeResponse is how one action type fared on the similar incidents and the
// previous attempts.
type actionOutcomeResponse struct {
	ActionType  string   `json:"action_type"`
	Total       int64    `json:"total"`
	Succeeded   int64    `json:"succeeded"`
	Failed      int64    `json:"failed"`
	SuccessRate *float64 `json:"success_rate"` // null when nothing finished
}

// suggestedActionResponse is an action type worth trying next.
type suggestedActionResponse struct {
	ActionType  string  `json:"action_type"`
	SuccessRate float64 `json:"success_rate"`
	Samples     int64   `json:"samples"`
}

func newRecoveryContextResponse(rc app.RecoveryContext) recoveryContextResponse {
	out := recoveryContextResponse{
		Incident:         newIncidentResponse(rc.Incident),
		PreviousAttempts: make([]incidentResponse, len(rc.PreviousAttempts)),
		SimilarIncidents: make([]similarIncidentResponse, len(rc.SimilarIncidents)),
		ActionOutcomes:   make([]actionOutcomeResponse, len(rc.ActionOutcomes)),
		SuggestedActions: make([]suggestedActionResponse, len(rc.SuggestedActions)),
	}
	for i, e := range rc.PreviousAttempts {
		out.PreviousAttempts[i] = newIncidentResponse(e)
	}
	for i, f := range rc.SimilarIncidents {
		out.SimilarIncidents[i] = similarIncidentResponse{incidentResponse: newIncidentResponse(f.Incident), Similarity: f.Similarity}
	}
	for i, o := range rc.ActionOutcomes {
		out.ActionOutcomes[i] = actionOutcomeResponse{
			ActionType: o.ActionType, Total: o.Total, Succeeded: o.Succeeded, Failed: o.Failed, SuccessRate: o.Rate,
		}
	}
	for i, a := range rc.SuggestedActions {
		out.SuggestedActions[i] = suggestedActionResponse{ActionType: a.ActionType, SuccessRate: a.Rate, Samples: a.Samples}
	}
	return out
}

// historicalContextResponse is the historical context of docs/api.md §3.7, in the shape
// upstream's HolmesGPT-API client reads (snake_case keys, percentages, seconds).
type historicalContextResponse struct {
	Available           bool                              `json:"available"`
	SuccessRates        map[string]historicalRateResponse `json:"success_rates"`
	SimilarIncidents    []historicalIncidentResponse      `json:"similar_incidents"`
	EnvironmentPatterns map[string]string                 `json:"environment_patterns"`
}

// historicalRateResponse is how one action type fared on the object.
type historicalRateResponse struct {
	SuccessRate   percent  `json:"success_rate"`
	TotalAttempts int64    `json:"total_attempts"`
	AvgDuration   *float64 `json:"avg_duration"` // seconds; null when no attempt has a duration
}

// historicalIncidentResponse is an incident on another object like the object's latest.
type historicalIncidentResponse struct {
	IncidentID        string    `json:"incident_id"`
	RemediationAction string    `json:"remediation_action"`
	Outcome           string    `json:"outcome"`
	SimilarityScore   float64   `json:"similarity_score"`
	Timestamp         timestamp `json:"timestamp"`
}

// percent renders a percentage with exactly one decimal (66.7, 100.0, 0.0): the consumer
// formats it with :.1f, and a JSON 0.0 decodes as a float in Python where 0 would not.
type percent float64

// MarshalJSON renders p with one decimal.
func (p percent) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(p), 'f', 1, 64), nil
}

func newHistoricalContextResponse(hc app.HistoricalContext) historicalContextResponse {
	out := historicalContextResponse{
		Available:           true,
		SuccessRates:        make(map[string]historicalRateResponse, len(hc.SuccessRates)),
		SimilarIncidents:    make([]historicalIncidentResponse, len(hc.SimilarIncidents)),
		EnvironmentPatterns: hc.Patterns,
	}
	for _, r := range hc.SuccessRates {
		out.SuccessRates[r.ActionType] = historicalRateResponse{
			SuccessRate: percent(r.Percent), TotalAttempts: r.TotalAttempts, AvgDuration: r.AvgDurationSeconds,
		}
	}
	for i, h := range hc.SimilarIncidents {
		out.SimilarIncidents[i] = historicalIncidentResponse{
			IncidentID: strconv.FormatInt(h.ID, 10), RemediationAction: h.ActionType, Outcome: string(h.Outcome),
			SimilarityScore: h.Similarity, Timestamp: timestamp(h.StartTime),
		}
	}
	if out.EnvironmentPatterns == nil {
		out.EnvironmentPatterns = map[string]string{}
	}
	return out
}
