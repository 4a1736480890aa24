package postgres

import (
	"context"
	"sort"

	"github.com/pgvector/pgvector-go"

	"github.com/contextapi/contextapi/internal/domain"
)

// Search returns the incidents nearest to q.Embedding by cosine distance (<=>, the
// operator of the HNSW vector_cosine_ops index). Filters sit in the same WHERE as the
// distance bound; with hnsw.iterative_scan on (set per connection) the index scan goes
// on until the limit is met, so filters apply before the limit.
func (r *Repository) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, error) {
	ok, err := r.hasEmbedding(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return []domain.ScoredIncident{}, nil // an older schema: nothing is searchable
	}
	cols, err := r.columns(ctx, q.IncludeEmbedding)
	if err != nil {
		return nil, err
	}
	vec := pgvector.NewVector(q.Embedding)
	scopes := append([]scope{joined}, filterScopes(q.Filter)...)
	if len(q.ExcludeIDs) > 0 {
		scopes = append(scopes, excluding(q.ExcludeIDs))
	}
	var records []incidentRecord
	err = r.session(ctx, "search").Scopes(scopes...).
		Select(cols+", rat.embedding <=> ? AS distance", vec).
		Where("rat.embedding IS NOT NULL").
		Where("rat.embedding <=> ? <= ?", vec, 1-q.Threshold).
		Order(clauseDistance(vec)).
		Limit(q.Limit).
		Find(&records).Error
	if err != nil {
		return nil, translate(ctx, "semantic search", err)
	}
	// Relaxed iterative scans may return rows slightly out of order; equal distances
	// are ordered by id descending, as the contract says.
	sort.SliceStable(records, func(i, j int) bool {
		if records[i].Distance != records[j].Distance {
			return records[i].Distance < records[j].Distance
		}
		return records[i].ID > records[j].ID
	})
	out := make([]domain.ScoredIncident, len(records))
	for i, rec := range records {
		out[i] = domain.ScoredIncident{Incident: rec.toDomain(), Similarity: 1 - rec.Distance}
	}
	return out, nil
}
