package postgres

import (
	"encoding/json"
	"time"

	"github.com/pgvector/pgvector-go"

	"github.com/contextapi/contextapi/internal/domain"
)

// incidentColumns selects one incident from the three-table join. The embedding is
// selected separately, only when asked for (384 floats per row are not free).
const incidentColumns = `rat.id, rat.alert_name, rat.alert_fingerprint, rat.action_id,
rr.namespace, rat.cluster_name, rat.environment, rr.kind, rr.name, rat.execution_status,
rat.alert_severity, rat.action_type, rat.action_timestamp, rat.execution_end_time,
rat.execution_duration_ms, rat.execution_error, rat.action_parameters::text AS metadata,
rat.created_at, rat.updated_at`

// embeddingColumn is appended to incidentColumns when the embedding is wanted.
const embeddingColumn = `, rat.embedding`

// incidentRecord is one row of the join; pointer fields are nullable columns.
type incidentRecord struct {
	ID                  int64            `gorm:"column:id"`
	AlertName           string           `gorm:"column:alert_name"`
	AlertFingerprint    *string          `gorm:"column:alert_fingerprint"`
	ActionID            string           `gorm:"column:action_id"`
	Namespace           *string          `gorm:"column:namespace"`
	ClusterName         *string          `gorm:"column:cluster_name"`
	Environment         *string          `gorm:"column:environment"`
	Kind                string           `gorm:"column:kind"`
	Name                string           `gorm:"column:name"`
	ExecutionStatus     *string          `gorm:"column:execution_status"`
	AlertSeverity       string           `gorm:"column:alert_severity"`
	ActionType          string           `gorm:"column:action_type"`
	ActionTimestamp     time.Time        `gorm:"column:action_timestamp"`
	ExecutionEndTime    *time.Time       `gorm:"column:execution_end_time"`
	ExecutionDurationMs *int64           `gorm:"column:execution_duration_ms"`
	ExecutionError      *string          `gorm:"column:execution_error"`
	Metadata            *string          `gorm:"column:metadata"`
	CreatedAt           *time.Time       `gorm:"column:created_at"`
	UpdatedAt           *time.Time       `gorm:"column:updated_at"`
	Embedding           *pgvector.Vector `gorm:"column:embedding"`
	// Distance is the cosine distance to a search's query vector (searches only).
	Distance float64 `gorm:"column:distance"`
}

// toDomain maps a row to the domain, times in UTC.
func (r incidentRecord) toDomain() domain.IncidentEvent {
	e := domain.IncidentEvent{
		ID:                   r.ID,
		Name:                 r.AlertName,
		AlertFingerprint:     r.AlertFingerprint,
		RemediationRequestID: r.ActionID,
		Namespace:            r.Namespace,
		ClusterName:          r.ClusterName,
		Environment:          r.Environment,
		TargetResource:       r.Kind,
		TargetName:           r.Name,
		Status:               r.ExecutionStatus,
		Severity:             r.AlertSeverity,
		ActionType:           r.ActionType,
		StartTime:            r.ActionTimestamp.UTC(),
		EndTime:              utc(r.ExecutionEndTime),
		DurationMs:           r.ExecutionDurationMs,
		ErrorMessage:         r.ExecutionError,
		CreatedAt:            utc(r.CreatedAt),
		UpdatedAt:            utc(r.UpdatedAt),
	}
	if r.Metadata != nil {
		e.Metadata = json.RawMessage(*r.Metadata)
	}
	if r.Embedding != nil {
		e.Embedding = r.Embedding.Slice()
	}
	return e
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
