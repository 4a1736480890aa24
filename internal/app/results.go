package app

import "github.com/contextapi/contextapi/internal/domain"

// ListResult is one page of incidents with the effective paging values.
type ListResult struct {
	Incidents       []domain.IncidentEvent
	Total           int64
	TotalIsEstimate bool
	Limit           int
	Offset          int
	// NextCursor is the opaque cursor of the next page, or "" when no row follows.
	NextCursor string
}

// SimilarResult is the answer of a vector search.
type SimilarResult struct {
	Incidents []domain.ScoredIncident
	Limit     int
}

// SemanticRequest is a decoded semantic-search body. Nil pointers are absent members.
type SemanticRequest struct {
	// Query is a text to search by, embedded by the configured embedder; "" when absent.
	// Exactly one of Query and Embedding is given.
	Query     string
	Embedding []float64 // nil when absent
	Limit     *int
	Threshold *float64
	// Filters holds the body's filters member as name → values (a string member is a
	// one-element slice).
	Filters Params
}

// TrendResult is the incident count per UTC day, oldest first, zero days included.
type TrendResult struct {
	Days   int
	Points []domain.TrendPoint
}
