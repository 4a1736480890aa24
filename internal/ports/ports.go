// Package ports declares what the application core needs from the outside world, in
// domain words. Adapters (memory, postgres, cache) implement these interfaces; the
// porttest package holds the behaviour every implementation must show.
package ports

import (
	"context"

	"github.com/contextapi/contextapi/internal/domain"
)

// IncidentRepository reads incidents.
type IncidentRepository interface {
	// List returns one page of incidents matching the query's filter, ordered by start
	// time descending then id descending, with the total number of matches.
	List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, error)
	// Get returns one incident, or an error wrapping domain.ErrNotFound.
	Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, error)
	// Search returns the incidents nearest to the query's embedding (see
	// domain.SemanticQuery). Incidents without an embedding never match.
	Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, error)
}

// AggregateRepository counts incidents.
type AggregateRepository interface {
	// Aggregate counts the incidents matching the filter per group; groups with no
	// incident are absent. Order is unspecified.
	Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, error)
}

// Pinger tells whether a backend can answer now.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Repository is everything the application reads through: the union of the ports a
// backend implements.
type Repository interface {
	IncidentRepository
	AggregateRepository
	Pinger
}
