package domain

import (
	"encoding/json"
	"time"
)

// EmbeddingDimensions is the length of every stored and queried embedding
// (sentence-transformers all-MiniLM-L6-v2, as the Data Storage schema fixes it).
const EmbeddingDimensions = 384

// IncidentEvent is one remediation action taken in response to one alert: a row of
// resource_action_traces joined to its history and Kubernetes object. Pointer fields are
// nullable columns; nil means NULL, never "unknown".
type IncidentEvent struct {
	ID                   int64
	Name                 string // the alert name
	AlertFingerprint     *string
	RemediationRequestID string
	Namespace            *string // nil for cluster-scoped objects
	ClusterName          *string
	Environment          *string
	TargetResource       string // the object's kind, e.g. Deployment
	TargetName           string // the object's name
	Status               *string
	Severity             string
	ActionType           string
	StartTime            time.Time
	EndTime              *time.Time
	DurationMs           *int64
	ErrorMessage         *string
	Metadata             json.RawMessage // a JSON object, or nil for NULL
	CreatedAt            *time.Time
	UpdatedAt            *time.Time
	Embedding            []float32 // nil when absent or not asked for
}

// Phase is the incident's lifecycle phase derived from its execution status.
func (e IncidentEvent) Phase() Phase {
	if e.Status == nil {
		return PhasePending
	}
	return PhaseOf(*e.Status)
}

// Outcome classifies the incident's status for success rates.
func (e IncidentEvent) Outcome() Outcome {
	if e.Status == nil {
		return OutcomeOther
	}
	return OutcomeOf(*e.Status)
}

// Clone returns a deep copy, so callers may keep or change it without aliasing
// a repository's or a cache's storage.
func (e IncidentEvent) Clone() IncidentEvent {
	c := e
	c.AlertFingerprint = cloneString(e.AlertFingerprint)
	c.Namespace = cloneString(e.Namespace)
	c.ClusterName = cloneString(e.ClusterName)
	c.Environment = cloneString(e.Environment)
	c.Status = cloneString(e.Status)
	c.ErrorMessage = cloneString(e.ErrorMessage)
	if e.EndTime != nil {
		t := *e.EndTime
		c.EndTime = &t
	}
	if e.DurationMs != nil {
		d := *e.DurationMs
		c.DurationMs = &d
	}
	if e.CreatedAt != nil {
		t := *e.CreatedAt
		c.CreatedAt = &t
	}
	if e.UpdatedAt != nil {
		t := *e.UpdatedAt
		c.UpdatedAt = &t
	}
	if e.Metadata != nil {
		c.Metadata = append(json.RawMessage(nil), e.Metadata...)
	}
	if e.Embedding != nil {
		c.Embedding = append([]float32(nil), e.Embedding...)
	}
	return c
}

func cloneString(s *string) *string {
	if s == nil {
		return nil
	}
	v := *s
	return &v
}

// ScoredIncident is an incident found by vector search with its cosine similarity
// (1 − cosine distance) to the query.
type ScoredIncident struct {
	Incident   IncidentEvent
	Similarity float64
}
