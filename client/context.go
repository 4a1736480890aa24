package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// RecoveryContext is what the component planning the next attempt after a failed (or
// stuck) remediation needs to know (docs/api.md §3.5).
type RecoveryContext struct {
	// Incident is the newest trace of the remediation request.
	Incident Incident `json:"incident"`
	// PreviousAttempts are the alert's other traces, newest first, at most 20.
	PreviousAttempts []Incident `json:"previous_attempts"`
	// SimilarIncidents are the nearest incidents by embedding, the alert's traces left
	// out; empty when the incident has no embedding.
	SimilarIncidents []SimilarIncident `json:"similar_incidents"`
	// ActionOutcomes is per action type over the previous attempts and the similar
	// incidents, largest total first.
	ActionOutcomes []ActionOutcome `json:"action_outcomes"`
	// SuggestedActions are the action types worth trying, best first.
	SuggestedActions []SuggestedAction `json:"suggested_actions"`
}

// ActionOutcome is how one action type fared.
type ActionOutcome struct {
	ActionType string `json:"action_type"`
	// Total counts every incident of the action type, finished or not.
	Total     int64 `json:"total"`
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	// Rate is Succeeded / (Succeeded + Failed), nil when nothing has finished.
	Rate *float64 `json:"success_rate"`
}

// SuggestedAction is an action type worth trying next.
type SuggestedAction struct {
	ActionType string `json:"action_type"`
	// Rate is succeeded / finished, 0 to 1, over Samples finished incidents.
	Rate    float64 `json:"success_rate"`
	Samples int64   `json:"samples"`
}

// RecoveryOptions shapes RecoveryContext. Zero fields leave the service's defaults.
type RecoveryOptions struct {
	// Limit is the most similar incidents, 1 to 50 (default 10).
	Limit int
	// Threshold is their least similarity, 0 to 1 (nil: the service's 0.7).
	Threshold *float64
	// MinSamples is the least number of finished incidents an action type needs to be
	// suggested, 1 to 1000 (default 3).
	MinSamples int
}

// RecoveryContext returns the recovery context of a remediation request (GET
// /api/v1/context/remediation/{remediation_request_id}); an id no incident carries is a
// *Problem matching ErrNotFound.
func (c *Client) RecoveryContext(ctx context.Context, remediationRequestID string, opts RecoveryOptions) (*RecoveryContext, error) {
	if remediationRequestID == "" {
		// The path would end in a slash, which the service answers with a 404 that
		// would wrongly say no such remediation exists.
		return nil, fmt.Errorf("client: recovery context: empty remediation request id: %w", ErrInvalid)
	}
	q := url.Values{}
	setInt(q, "limit", opts.Limit)
	setFloat(q, "threshold", opts.Threshold)
	setInt(q, "min_samples", opts.MinSamples)
	return send[RecoveryContext](ctx, c, request{
		op: "recovery context", method: http.MethodGet,
		// One escaped segment: a "/" in the id must not become a separator.
		path: "/api/v1/context/remediation/" + url.PathEscape(remediationRequestID), query: q,
	})
}

// HistoricalContext is one Kubernetes object's history, in the shape HolmesGPT-API reads
// (docs/api.md §3.7).
type HistoricalContext struct {
	// Available is always true.
	Available bool `json:"available"`
	// SuccessRates is per action type (the key) over the object's incidents in the range.
	SuccessRates map[string]HistoricalRate `json:"success_rates"`
	// SimilarIncidents are up to ten incidents on other objects like the object's latest.
	SimilarIncidents []HistoricalIncident `json:"similar_incidents"`
	// EnvironmentPatterns are sentences about the object's history, by name
	// (environment, cluster, most_frequent_alert, most_successful_action).
	EnvironmentPatterns map[string]string `json:"environment_patterns"`
}

// HistoricalRate is how one action type fared on the object.
type HistoricalRate struct {
	// SuccessPercent is the percentage of finished attempts that succeeded, one
	// decimal; 0 when none finished.
	SuccessPercent float64 `json:"success_rate"`
	// TotalAttempts counts every attempt, finished or not.
	TotalAttempts int64 `json:"total_attempts"`
	// AvgDurationSeconds is the mean duration of the attempts that have one; nil when
	// none has.
	AvgDurationSeconds *float64 `json:"avg_duration"`
}

// HistoricalIncident is an incident on another object like the object's latest.
type HistoricalIncident struct {
	// IncidentID is the incident's id (a string on the wire).
	IncidentID int64 `json:"incident_id,string"`
	// RemediationAction is the incident's action type.
	RemediationAction string `json:"remediation_action"`
	// Outcome is success, failure or in_progress.
	Outcome         string    `json:"outcome"`
	SimilarityScore float64   `json:"similarity_score"`
	Timestamp       time.Time `json:"timestamp"`
}

// HistoricalQuery names the object whose history HistoricalContext returns.
type HistoricalQuery struct {
	// Namespace is the object's namespace; empty for a cluster-scoped object (a node).
	Namespace string
	// TargetType is the object's kind, in any case (deployment matches Deployment).
	TargetType string
	// TargetName is the object's name, exactly.
	TargetName string
	// TimeRange is how far back to look: whole hours, at most 365 days (zero: 30 days).
	TimeRange time.Duration
	// SignalType is accepted for upstream's client; it does not narrow the answer.
	SignalType string
	// WithoutSimilar skips the vector search: SimilarIncidents comes back empty
	// (includeEmbeddings=false).
	WithoutSimilar bool
}

// HistoricalContext returns the history of one Kubernetes object (GET
// /api/v1/context/historical). An object without incidents in the range is a *Problem
// matching ErrNotFound: no history.
func (c *Client) HistoricalContext(ctx context.Context, hq HistoricalQuery) (*HistoricalContext, error) {
	q := url.Values{}
	q.Set("namespace", hq.Namespace) // always sent: empty asks about a cluster-scoped object
	q.Set("targetType", hq.TargetType)
	q.Set("targetName", hq.TargetName)
	if hq.TimeRange != 0 {
		r, err := timeRange(hq.TimeRange)
		if err != nil {
			return nil, fmt.Errorf("client: historical context: %w: %w", ErrInvalid, err)
		}
		q.Set("timeRange", r)
	}
	if hq.SignalType != "" {
		q.Set("signalType", hq.SignalType)
	}
	if hq.WithoutSimilar {
		q.Set("includeEmbeddings", "false")
	}
	return send[HistoricalContext](ctx, c, request{
		op: "historical context", method: http.MethodGet, path: "/api/v1/context/historical", query: q,
	})
}

// timeRange writes d as the service's Nd or Nh.
func timeRange(d time.Duration) (string, error) {
	const day = 24 * time.Hour
	switch {
	case d <= 0 || d%time.Hour != 0:
		return "", errors.New("the time range must be a positive whole number of hours")
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d", nil
	}
	return strconv.FormatInt(int64(d/time.Hour), 10) + "h", nil
}
