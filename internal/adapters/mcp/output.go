package mcp

import "time"

// The tools' structured results have the JSON shapes of the HTTP API's answers
// (docs/api.md §3), never with embeddings: a model reads 384 numbers as noise.

// Incident is one remediation action taken for one alert.
type Incident struct {
	ID                   int64      `json:"id"`
	Name                 string     `json:"name" jsonschema:"the alert name"`
	AlertFingerprint     *string    `json:"alert_fingerprint"`
	RemediationRequestID string     `json:"remediation_request_id"`
	Namespace            *string    `json:"namespace" jsonschema:"null for cluster-scoped objects"`
	ClusterName          *string    `json:"cluster_name"`
	Environment          *string    `json:"environment"`
	TargetResource       string     `json:"target_resource" jsonschema:"the object's kind"`
	TargetName           string     `json:"target_name"`
	Phase                string     `json:"phase" jsonschema:"pending, processing, completed or failed"`
	Status               *string    `json:"status" jsonschema:"the execution status as stored"`
	Severity             string     `json:"severity"`
	ActionType           string     `json:"action_type"`
	StartTime            time.Time  `json:"start_time"`
	EndTime              *time.Time `json:"end_time"`
	Duration             *int64     `json:"duration" jsonschema:"execution duration in milliseconds"`
	ErrorMessage         *string    `json:"error_message"`
	Metadata             any        `json:"metadata" jsonschema:"the action's parameters"`
	CreatedAt            *time.Time `json:"created_at"`
	UpdatedAt            *time.Time `json:"updated_at"`
}

// IncidentList is list_incidents' result.
type IncidentList struct {
	Incidents       []Incident `json:"incidents"`
	Total           int64      `json:"total" jsonschema:"incidents matching the filters, whatever the limit"`
	TotalIsEstimate bool       `json:"total_is_estimate"`
	Limit           int        `json:"limit"`
	Offset          int        `json:"offset"`
	NextCursor      *string    `json:"next_cursor" jsonschema:"pass as cursor for the next page; null on the last page"`
}

// SimilarIncident is an incident found by vector search.
type SimilarIncident struct {
	Incident
	Similarity float64 `json:"similarity" jsonschema:"1 - cosine distance to the query"`
}

// SimilarList is find_similar_incidents' result.
type SimilarList struct {
	Incidents []SimilarIncident `json:"incidents"`
	Limit     int               `json:"limit"`
}

// ActionOutcome is how one action type fared.
type ActionOutcome struct {
	ActionType  string   `json:"action_type"`
	Total       int64    `json:"total"`
	Succeeded   int64    `json:"succeeded"`
	Failed      int64    `json:"failed"`
	SuccessRate *float64 `json:"success_rate" jsonschema:"succeeded / finished, 0 to 1; null when none finished"`
}

// SuggestedAction is an action type worth trying next.
type SuggestedAction struct {
	ActionType  string  `json:"action_type"`
	SuccessRate float64 `json:"success_rate"`
	Samples     int64   `json:"samples"`
}

// RecoveryContext is get_recovery_context's result (docs/api.md §3.5).
type RecoveryContext struct {
	Incident         Incident          `json:"incident" jsonschema:"the newest attempt of the remediation request"`
	PreviousAttempts []Incident        `json:"previous_attempts" jsonschema:"the alert's other attempts, newest first"`
	SimilarIncidents []SimilarIncident `json:"similar_incidents"`
	ActionOutcomes   []ActionOutcome   `json:"action_outcomes"`
	SuggestedActions []SuggestedAction `json:"suggested_actions" jsonschema:"action types that have not failed for this alert and worked elsewhere, best first"`
}

// HistoricalRate is how one action type fared on the object.
type HistoricalRate struct {
	SuccessRate   float64  `json:"success_rate" jsonschema:"percent of finished attempts that succeeded"`
	TotalAttempts int64    `json:"total_attempts"`
	AvgDuration   *float64 `json:"avg_duration" jsonschema:"seconds"`
}

// HistoricalIncident is an incident on another object like the object's latest.
type HistoricalIncident struct {
	IncidentID        string    `json:"incident_id"`
	RemediationAction string    `json:"remediation_action"`
	Outcome           string    `json:"outcome" jsonschema:"success, failure or in_progress"`
	SimilarityScore   float64   `json:"similarity_score"`
	Timestamp         time.Time `json:"timestamp"`
}

// HistoricalContext is get_historical_context's result (docs/api.md §3.7).
type HistoricalContext struct {
	Available           bool                      `json:"available"`
	SuccessRates        map[string]HistoricalRate `json:"success_rates" jsonschema:"per action type"`
	SimilarIncidents    []HistoricalIncident      `json:"similar_incidents"`
	EnvironmentPatterns map[string]string         `json:"environment_patterns"`
}

// RateGroup is the outcome of one group of get_success_rates.
type RateGroup struct {
	Key         *string  `json:"key" jsonschema:"the action type, namespace or severity; null for cluster-scoped objects"`
	Total       int64    `json:"total"`
	Succeeded   int64    `json:"succeeded"`
	Failed      int64    `json:"failed"`
	SuccessRate *float64 `json:"success_rate" jsonschema:"succeeded / finished, 0 to 1; null when none finished"`
}

// SuccessRates is get_success_rates' result.
type SuccessRates struct {
	By          string      `json:"by"`
	Total       int64       `json:"total"`
	Succeeded   int64       `json:"succeeded"`
	Failed      int64       `json:"failed"`
	InProgress  int64       `json:"in_progress"`
	SuccessRate *float64    `json:"success_rate"`
	Groups      []RateGroup `json:"groups" jsonschema:"largest first"`
}
