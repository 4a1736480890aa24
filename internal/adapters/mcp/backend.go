package mcp

import "context"

// Backend is what the tools read: the use cases of docs/api.md §3 in the tools' own
// input and output types. Service implements it over the application service, Remote
// over the HTTP API's Go client, so both serve the same tools. Errors describe
// themselves with Describe.
type Backend interface {
	ListIncidents(ctx context.Context, in ListInput) (IncidentList, error)
	GetIncident(ctx context.Context, id int64) (Incident, error)
	// SimilarIncidents finds the incidents like incident id; in.IncidentID and in.Text
	// are ignored.
	SimilarIncidents(ctx context.Context, id int64, in SimilarInput) (SimilarList, error)
	// SimilarToText finds the incidents like a description, which the service embeds
	// (an invalid-argument error where it has no embedder); in.IncidentID and in.Text
	// are ignored.
	SimilarToText(ctx context.Context, text string, in SimilarInput) (SimilarList, error)
	RecoveryContext(ctx context.Context, remediationRequestID string) (RecoveryContext, error)
	HistoricalContext(ctx context.Context, in HistoricalInput) (HistoricalContext, error)
	// SuccessRate is the outcome of the matching incidents overall, grouped by action
	// type (By is "action_type").
	SuccessRate(ctx context.Context, f Filters) (SuccessRates, error)
	// NamespaceCounts is the outcome per namespace, largest first; SuccessRate is unset.
	NamespaceCounts(ctx context.Context, f Filters) ([]RateGroup, error)
	// SeverityCounts is the number of incidents per severity; only Key and Total are set.
	SeverityCounts(ctx context.Context, f Filters) ([]RateGroup, error)
}
