package domain

import "time"

// Filter selects incidents. Every slice means "any of these values"; an empty slice
// does not filter. Since is inclusive and Until exclusive, both on the start time.
// The app hands adapters only canonical filters: values sorted and deduplicated,
// times in UTC.
type Filter struct {
	Namespaces        []string
	ClusterNames      []string
	Environments      []string
	ActionTypes       []string
	Severities        []string
	Phases            []Phase
	Statuses          []string
	Names             []string
	AlertFingerprints []string
	// RemediationRequestIDs matches remediation_request_id (action_id); used by the
	// context use cases, not a public filter.
	RemediationRequestIDs []string
	// TargetKinds matches the object's kind case-insensitively; values are lower case.
	TargetKinds []string
	// TargetNames matches the object's name exactly.
	TargetNames []string
	// NullNamespace keeps only incidents without a namespace (cluster-scoped objects):
	// Namespaces cannot say so, since NULL equals no value. Like every other condition it
	// is ANDed, so combined with Namespaces it matches nothing. Used by the context use
	// cases, not a public filter.
	NullNamespace bool
	Since         *time.Time
	Until         *time.Time
}

// Cursor is a keyset position: the page continues with incidents ordered strictly after
// (StartTime, ID) in the list order (start time descending, then id descending).
type Cursor struct {
	StartTime time.Time
	ID        int64
}

// ListQuery asks for one page of incidents. When After is set, Offset is zero.
type ListQuery struct {
	Filter           Filter
	Limit            int
	Offset           int
	After            *Cursor
	IncludeEmbedding bool
}

// IncidentPage is one page of incidents in list order.
type IncidentPage struct {
	Incidents []IncidentEvent
	// Total counts every incident matching the filter, regardless of paging.
	Total int64
	// TotalIsEstimate is true when Total is the planner's estimate, not an exact count.
	TotalIsEstimate bool
	// Next is the position after the last incident, or nil when no incident follows.
	Next *Cursor
}

// GetQuery asks for one incident by id.
type GetQuery struct {
	ID               int64
	IncludeEmbedding bool
}

// SemanticQuery asks for the incidents nearest to Embedding by cosine similarity, at
// least Threshold similar, matching Filter, excluding ExcludeIDs and the incidents on
// ExcludeObject, most similar first (equal similarity: id descending), at most Limit of
// them. Filters and exclusions apply before the limit: a search returns Limit incidents
// whenever that many match.
type SemanticQuery struct {
	Embedding        []float32
	Limit            int
	Threshold        float64
	Filter           Filter
	ExcludeIDs       []int64
	ExcludeObject    *ObjectRef
	IncludeEmbedding bool
}

// ObjectRef names one Kubernetes object the way the context use cases identify it: its
// namespace (nil for a cluster-scoped object, which is not the same as ""), its kind in
// lower case (kinds compare case-insensitively, as TargetKinds do) and its exact name.
type ObjectRef struct {
	Namespace *string
	Kind      string
	Name      string
}
