package mcp

// Filters are the list filters of docs/api.md §3.1. Several values of one filter mean
// any of them; different filters must all hold.
type Filters struct {
	Namespace        []string `json:"namespace,omitempty" jsonschema:"only incidents in these Kubernetes namespaces"`
	ClusterName      []string `json:"cluster_name,omitempty" jsonschema:"only incidents on these clusters"`
	Environment      []string `json:"environment,omitempty" jsonschema:"only these environments: production, staging, development, test"`
	ActionType       []string `json:"action_type,omitempty" jsonschema:"only these remediation action types, such as restart_pod or scale_deployment"`
	Severity         []string `json:"severity,omitempty" jsonschema:"only these alert severities, such as critical, warning, info"`
	Phase            []string `json:"phase,omitempty" jsonschema:"only these phases: pending, processing, completed, failed (failed includes rolled-back)"`
	Status           []string `json:"status,omitempty" jsonschema:"only these execution statuses as stored: completed, failed, rolled-back, executing, pending"`
	Name             []string `json:"name,omitempty" jsonschema:"only these alert names, such as HighMemoryUsage"`
	AlertFingerprint []string `json:"alert_fingerprint,omitempty" jsonschema:"only these alert fingerprints"`
	Since            string   `json:"since,omitempty" jsonschema:"only incidents that started at or after this RFC 3339 time, such as 2026-12-01T00:00:00Z"`
	Until            string   `json:"until,omitempty" jsonschema:"only incidents that started before this RFC 3339 time"`
}

// ListInput is list_incidents' arguments.
type ListInput struct {
	Filters
	Limit  *int   `json:"limit,omitempty" jsonschema:"how many incidents to return, newest first (1 to 100, default 10)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor of a previous answer, to fetch the following page with the same filters"`
}

// GetInput is get_incident's arguments.
type GetInput struct {
	ID int64 `json:"id" jsonschema:"the incident's id"`
}

// SimilarInput is find_similar_incidents' arguments: exactly one of IncidentID and Text.
type SimilarInput struct {
	IncidentID *int64 `json:"incident_id,omitempty" jsonschema:"find incidents like this incident (by its stored embedding); give this or text"`
	Text       string `json:"text,omitempty" jsonschema:"find incidents like this description, such as 'pods OOMKilled after a deploy' (needs an embedder on the service); give this or incident_id"`
	Filters
	Limit     *int     `json:"limit,omitempty" jsonschema:"how many incidents to return, most similar first (1 to 50, default 10)"`
	Threshold *float64 `json:"threshold,omitempty" jsonschema:"least similarity to return, 0 to 1 (default 0.7)"`
}

// RecoveryInput is get_recovery_context's arguments.
type RecoveryInput struct {
	RemediationRequestID string `json:"remediation_request_id" jsonschema:"the remediation request whose newest attempt to explain, such as rr-2026-001"`
}

// HistoricalInput is get_historical_context's arguments.
type HistoricalInput struct {
	Namespace string `json:"namespace" jsonschema:"the object's namespace; empty for a cluster-scoped object such as a Node"`
	Kind      string `json:"kind" jsonschema:"the object's kind, such as Deployment (any case)"`
	Name      string `json:"name" jsonschema:"the object's name"`
	TimeRange string `json:"time_range,omitempty" jsonschema:"how far back to look: days or hours such as 30d or 12h, at most 365d (default 30d)"`
}

// Grouping dimensions of get_success_rates.
const (
	ByActionType = "action_type"
	ByNamespace  = "namespace"
	BySeverity   = "severity"
)

// RatesInput is get_success_rates' arguments.
type RatesInput struct {
	By string `json:"by,omitempty" jsonschema:"what to group the rates by: action_type (default), namespace or severity"`
	Filters
}
