package httpapi

import (
	"encoding/json"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// timeLayout is RFC 3339 in UTC with the microseconds PostgreSQL stores, always six
// digits so clients can compare timestamps as strings.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// timestamp renders a time as timeLayout in UTC.
type timestamp time.Time

// MarshalText renders t in timeLayout, in UTC; JSON makes it a string. (A MarshalJSON
// would cost more: encoding/json re-scans whatever MarshalJSON returns.)
func (t timestamp) MarshalText() ([]byte, error) {
	return time.Time(t).UTC().AppendFormat(make([]byte, 0, len(timeLayout)), timeLayout), nil
}

func optionalTime(t *time.Time) *timestamp {
	if t == nil {
		return nil
	}
	ts := timestamp(*t)
	return &ts
}

// incidentResponse is an IncidentEvent as docs/api.md §1 renders it: every field present,
// in this order, NULL columns as JSON null. The embedding appears only when the incident
// carries one, which it does only when include=embedding was asked for.
type incidentResponse struct {
	ID                   int64           `json:"id"`
	Name                 string          `json:"name"`
	AlertFingerprint     *string         `json:"alert_fingerprint"`
	RemediationRequestID string          `json:"remediation_request_id"`
	Namespace            *string         `json:"namespace"`
	ClusterName          *string         `json:"cluster_name"`
	Environment          *string         `json:"environment"`
	TargetResource       string          `json:"target_resource"`
	TargetName           string          `json:"target_name"`
	Phase                domain.Phase    `json:"phase"`
	Status               *string         `json:"status"`
	Severity             string          `json:"severity"`
	ActionType           string          `json:"action_type"`
	StartTime            timestamp       `json:"start_time"`
	EndTime              *timestamp      `json:"end_time"`
	Duration             *int64          `json:"duration"` // milliseconds
	ErrorMessage         *string         `json:"error_message"`
	Metadata             json.RawMessage `json:"metadata"` // the object itself, or null
	CreatedAt            *timestamp      `json:"created_at"`
	UpdatedAt            *timestamp      `json:"updated_at"`
	Embedding            []float32       `json:"embedding,omitempty"`
}

func newIncidentResponse(e domain.IncidentEvent) incidentResponse {
	r := incidentResponse{
		ID:                   e.ID,
		Name:                 e.Name,
		AlertFingerprint:     e.AlertFingerprint,
		RemediationRequestID: e.RemediationRequestID,
		Namespace:            e.Namespace,
		ClusterName:          e.ClusterName,
		Environment:          e.Environment,
		TargetResource:       e.TargetResource,
		TargetName:           e.TargetName,
		Phase:                e.Phase(),
		Status:               e.Status,
		Severity:             e.Severity,
		ActionType:           e.ActionType,
		StartTime:            timestamp(e.StartTime),
		EndTime:              optionalTime(e.EndTime),
		Duration:             e.DurationMs,
		ErrorMessage:         e.ErrorMessage,
		CreatedAt:            optionalTime(e.CreatedAt),
		UpdatedAt:            optionalTime(e.UpdatedAt),
		Embedding:            e.Embedding,
	}
	if len(e.Metadata) > 0 { // an empty RawMessage would not encode; it means NULL
		r.Metadata = e.Metadata
	}
	return r
}

// similarIncidentResponse is an incident found by vector search: the IncidentEvent
// fields followed by its similarity to the query (1 − cosine distance).
type similarIncidentResponse struct {
	incidentResponse
	Similarity float64 `json:"similarity"`
}
