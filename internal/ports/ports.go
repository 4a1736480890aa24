// Package ports declares what the application core needs from the outside world, in
// domain words. Adapters (memory, postgres, cache) implement these interfaces; the
// porttest package holds the behaviour every implementation must show.
package ports

import (
	"context"

	"github.com/contextapi/contextapi/internal/domain"
)

// Every read also returns how it was answered (domain.Read): a repository with no cache
// returns the zero Read; a cache says whether it was a hit, a miss or a stale answer, and
// which stored version it returned, so an answer built from reads can say how long it
// stays right (domain.Validity).

// IncidentRepository reads incidents.
type IncidentRepository interface {
	// List returns one page of incidents matching the query's filter, ordered by start
	// time descending then id descending, with the total number of matches.
	List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error)
	// Get returns one incident, or an error wrapping domain.ErrNotFound.
	Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error)
	// Search returns the incidents nearest to the query's embedding (see
	// domain.SemanticQuery). Incidents without an embedding never match.
	Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error)
}

// AggregateRepository counts incidents.
type AggregateRepository interface {
	// Aggregate counts the incidents matching the filter per group; groups with no
	// incident are absent. Order is unspecified.
	Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error)
}

// Authenticator decides who a bearer token stands for and whether they may read.
// Implementations: a file of token digests (bearer), the Kubernetes API's TokenReview
// and SubjectAccessReview (kubernetes).
type Authenticator interface {
	// Authenticate returns the principal token stands for. Errors wrap
	// domain.ErrUnauthenticated when the token identifies nobody (empty, unknown,
	// expired, another audience), domain.ErrForbidden when its principal may not read,
	// and domain.ErrUnavailable when no decision can be made now (the backend is slow or
	// down). It never returns a principal with an error.
	Authenticate(ctx context.Context, token string) (domain.Principal, error)
}

// Embedder turns text into embeddings comparable with the stored ones (the same model:
// all-MiniLM-L6-v2 for kubernaut's 384-dimension column). Implementation: a client of
// the OpenAI-compatible embeddings protocol (openai).
type Embedder interface {
	// Embed returns one embedding of domain.EmbeddingDimensions numbers per text, in the
	// order of texts. Errors wrap domain.ErrUnavailable when the model cannot answer now
	// (unreachable, too slow, overloaded); retrying later may help.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
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
