package postgres

import (
	"context"
	"sort"

	"github.com/pgvector/pgvector-go"
	"gorm.io/gorm"

	"github.com/contextapi/contextapi/internal/domain"
)

// Search returns the incidents nearest to q.Embedding by cosine distance (<=>, the
// operator of the HNSW vector_cosine_ops index). Filters sit in the same WHERE as the
// distance bound; with hnsw.iterative_scan on (set per connection) the index scan goes
// on until the limit is met, and when it still comes back short an exact scan decides,
// so a search returns min(limit, matches) rows.
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
	if q.ExcludeObject != nil {
		scopes = append(scopes, notOnObject(*q.ExcludeObject))
	}
	base := func(op string) *gorm.DB {
		return r.session(ctx, op).Scopes(scopes...).
			Select(cols+", rat.embedding <=> ? AS distance", vec).
			Where("rat.embedding IS NOT NULL").
			Where("rat.embedding <=> ? <= ?", vec, 1-q.Threshold).
			Limit(q.Limit)
	}
	records, err := r.fetch(ctx, "search", base("search").Order(clauseDistance(vec, false)), q.IncludeEmbedding, true)
	if err != nil {
		return nil, translate(ctx, "semantic search", err)
	}
	if len(records) < q.Limit {
		// The index scan gives up after hnsw.max_scan_tuples candidates, so a selective
		// filter or a high threshold can leave it short. Only an exact scan can tell
		// whether more matches exist; it runs over the filtered rows alone.
		records, err = r.fetch(ctx, "search_exact", base("search_exact").Order(clauseDistance(vec, true)), q.IncludeEmbedding, true)
		if err != nil {
			return nil, translate(ctx, "semantic search", err)
		}
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
