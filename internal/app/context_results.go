package app

import (
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// RecoveryContext is what is known about a remediation that failed or is under way
// (docs/api.md §3.5): the incident, the other attempts at its alert, the most similar past
// incidents, how each action type fared on those, and what is worth trying next.
type RecoveryContext struct {
	// Incident is the newest trace of the remediation request, without its embedding.
	Incident domain.IncidentEvent
	// PreviousAttempts are the alert's other traces, newest first, at most 20.
	PreviousAttempts []domain.IncidentEvent
	// SimilarIncidents are the nearest incidents by embedding, the alert's traces left out.
	SimilarIncidents []domain.ScoredIncident
	// ActionOutcomes are the outcomes per action type over the similar incidents and the
	// previous attempts, largest total first, then by name.
	ActionOutcomes []domain.ActionTypeRate
	// SuggestedActions are the action types worth trying, best first.
	SuggestedActions []SuggestedAction
	// Limit is the effective similar-incident limit.
	Limit int
}

// SuggestedAction is an action type that has not failed for the alert and worked often
// enough elsewhere.
type SuggestedAction struct {
	ActionType string
	// Rate is succeeded / finished over the similar incidents and previous attempts.
	Rate float64
	// Samples is the number of finished incidents Rate is computed over.
	Samples int64
}

// HistoricalContext is the history of one Kubernetes object in the shape upstream's
// HolmesGPT-API client reads (docs/api.md §3.7).
type HistoricalContext struct {
	// SuccessRates are per action type over the object's incidents in the time range.
	SuccessRates []HistoricalRate
	// SimilarIncidents are the nearest incidents on other objects; empty unless asked for.
	SimilarIncidents []HistoricalIncident
	// Patterns are facts about the object's history in words, by name.
	Patterns map[string]string
}

// HistoricalRate is how one action type fared on the object.
type HistoricalRate struct {
	ActionType string
	// Percent is succeeded / finished in percent with one decimal; 0 when nothing finished.
	Percent float64
	// TotalAttempts counts every incident of the action type, finished or not.
	TotalAttempts int64
	// AvgDurationSeconds is the mean stored duration in seconds (millisecond precision),
	// nil when no incident of the action type has a duration.
	AvgDurationSeconds *float64
}

// Outcome names how a similar incident ended, in the consumer's words.
type Outcome string

// The outcomes of docs/api.md §3.7, from the derived phase: completed is a success, failed
// (failed or rolled-back) a failure, everything else (pending, executing, unknown
// statuses, NULL) still in progress.
const (
	OutcomeSuccess    Outcome = "success"
	OutcomeFailure    Outcome = "failure"
	OutcomeInProgress Outcome = "in_progress"
)

// HistoricalIncident is an incident on another object near the object's latest one.
type HistoricalIncident struct {
	ID         int64
	ActionType string
	Outcome    Outcome
	// Similarity is 1 − cosine distance, within [0, 1].
	Similarity float64
	StartTime  time.Time
}

// outcomeOf classifies an incident for the historical context.
func outcomeOf(e domain.IncidentEvent) Outcome {
	switch e.Phase() {
	case domain.PhaseCompleted:
		return OutcomeSuccess
	case domain.PhaseFailed:
		return OutcomeFailure
	}
	return OutcomeInProgress
}
