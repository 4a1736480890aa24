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
// a repository's or a cache's storage. The nullable fields' new targets share one
// allocation: cached reads clone every incident they return.
func (e IncidentEvent) Clone() IncidentEvent {
	c := e
	var block struct {
		fingerprint, namespace, cluster, environment, status, errorMessage string
		end, created, updated                                              time.Time
		duration                                                           int64
	}
	c.AlertFingerprint = copyInto(&block.fingerprint, e.AlertFingerprint)
	c.Namespace = copyInto(&block.namespace, e.Namespace)
	c.ClusterName = copyInto(&block.cluster, e.ClusterName)
	c.Environment = copyInto(&block.environment, e.Environment)
	c.Status = copyInto(&block.status, e.Status)
	c.ErrorMessage = copyInto(&block.errorMessage, e.ErrorMessage)
	c.EndTime = copyInto(&block.end, e.EndTime)
	c.CreatedAt = copyInto(&block.created, e.CreatedAt)
	c.UpdatedAt = copyInto(&block.updated, e.UpdatedAt)
	c.DurationMs = copyInto(&block.duration, e.DurationMs)
	if e.Metadata != nil {
		c.Metadata = append(json.RawMessage(nil), e.Metadata...)
	}
	if e.Embedding != nil {
		c.Embedding = append([]float32(nil), e.Embedding...)
	}
	return c
}

// copyInto copies *src into dst and returns dst, or nil when src is nil.
func copyInto[T any](dst *T, src *T) *T {
	if src == nil {
		return nil
	}
	*dst = *src
	return dst
}

// ScoredIncident is an incident found by vector search with its cosine similarity
// (1 − cosine distance) to the query.
type ScoredIncident struct {
	Incident   IncidentEvent
	Similarity float64
}
