package memory

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/contextapi/contextapi/internal/domain"
)

// Search returns the incidents most similar to q.Embedding by exact cosine similarity,
// computed in float64. Incidents without a usable embedding (none, all zeros, another
// length) are never similar to anything.
func (r *Repository) Search(ctx context.Context, q domain.SemanticQuery) ([]domain.ScoredIncident, domain.Read, error) {
	if err := ctx.Err(); err != nil {
		return nil, domain.Read{}, fmt.Errorf("memory: search incidents: %w", err)
	}
	if q.Limit < 1 {
		return nil, domain.Read{}, fmt.Errorf("memory: search incidents: limit %d: %w", q.Limit, domain.ErrInvalidArgument)
	}
	qNorm := norm(q.Embedding)
	if qNorm == 0 {
		// Cosine similarity is undefined without a direction; the app rejects such
		// vectors first, so reaching here is a caller's bug.
		return nil, domain.Read{}, fmt.Errorf("memory: search incidents: query embedding has no direction: %w", domain.ErrInvalidArgument)
	}
	excluded := make(map[int64]bool, len(q.ExcludeIDs))
	for _, id := range q.ExcludeIDs {
		excluded[id] = true
	}
	type hit struct {
		index      int
		similarity float64
	}
	var hits []hit
	for i := range r.events {
		e := &r.events[i]
		if r.norms[i] == 0 || len(e.Embedding) != len(q.Embedding) || excluded[e.ID] || !matches(e, &q.Filter) ||
			(q.ExcludeObject != nil && onObject(e, q.ExcludeObject)) {
			continue
		}
		s := dot(q.Embedding, e.Embedding) / (qNorm * r.norms[i])
		if s >= q.Threshold {
			hits = append(hits, hit{index: i, similarity: s})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(b.similarity, a.similarity); c != 0 {
			return c
		}
		return cmp.Compare(r.events[b.index].ID, r.events[a.index].ID)
	})
	out := make([]domain.ScoredIncident, 0, min(len(hits), q.Limit))
	for _, h := range hits[:min(len(hits), q.Limit)] {
		out = append(out, domain.ScoredIncident{
			Incident:   export(&r.events[h.index], q.IncludeEmbedding),
			Similarity: clamp(h.similarity),
		})
	}
	return out, domain.Read{}, nil
}

// dot is the dot product of two vectors of equal length, in float64.
func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// clamp keeps rounding from reporting a similarity outside [-1, 1].
func clamp(s float64) float64 {
	return math.Max(-1, math.Min(1, s))
}
