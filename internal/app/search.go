package app

import (
	"context"
	"fmt"
	"math"

	"github.com/contextapi/contextapi/internal/domain"
)

// Semantic search limits of docs/api.md §3.3.
const (
	defaultSearchLimit     = 10
	maxSearchLimit         = 50
	defaultSearchThreshold = 0.7
	paramThreshold         = "threshold"
	fieldEmbedding         = "embedding"
)

// SemanticSearch returns the incidents nearest to a given embedding, or to the embedding
// of a text query (docs/api.md §3.3). It is the one entry point of text search: the HTTP
// API and any other adapter hand it the text, never a vector of their own making.
func (s *Service) SemanticSearch(ctx context.Context, req SemanticRequest) (SimilarResult, domain.Validity, error) {
	errs := &domain.ValidationError{}
	var vec []float32
	text := ""
	switch {
	case req.Query != "" && req.Embedding != nil:
		errs.Add(fieldQuery, "give either query (a text) or embedding (a vector), not both")
	case req.Embedding != nil:
		vec = checkEmbedding(errs, req.Embedding)
	case req.Query != "":
		text = s.checkQuery(errs, req.Query)
	default:
		errs.Add(fieldEmbedding, fmt.Sprintf("is required, or query: give a text (query) or a vector of %d numbers (embedding)", domain.EmbeddingDimensions))
	}
	q := domain.SemanticQuery{Embedding: vec, Limit: defaultSearchLimit, Threshold: defaultSearchThreshold}
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > maxSearchLimit {
			errs.Add(paramLimit, "must be between 1 and 50")
		} else {
			q.Limit = *req.Limit
		}
	}
	if req.Threshold != nil {
		if !(*req.Threshold >= 0 && *req.Threshold <= 1) {
			errs.Add(paramThreshold, "must be between 0 and 1")
		} else {
			q.Threshold = *req.Threshold
		}
	}
	r := newParamReader(req.Filters, filterParams)
	r.rejectUnknown()
	q.Filter = r.filter()
	for _, f := range r.errs.Fields {
		errs.Add("filters."+f.Field, f.Reason)
	}
	if err := errs.Err(); err != nil {
		return SimilarResult{}, domain.Validity{}, err
	}
	if text != "" {
		// Embedded only once the whole request is valid: a model call costs more than
		// the search. The search is then keyed by the vector, so text and vector
		// queries share cached answers.
		v, err := s.embedQuery(ctx, text)
		if err != nil {
			return SimilarResult{}, domain.Validity{}, err
		}
		q.Embedding = v
	}
	found, read, err := s.incidents.Search(ctx, q)
	if err != nil {
		return SimilarResult{}, domain.Validity{}, fmt.Errorf("app: semantic search: %w", err)
	}
	var v domain.Validity
	v.Add(read)
	return SimilarResult{Incidents: nonNil(found), Limit: q.Limit}, v, nil
}

// SimilarIncidents returns the incidents nearest to one incident's stored embedding,
// without the incident itself; none when it has no embedding.
func (s *Service) SimilarIncidents(ctx context.Context, id string, p Params) (SimilarResult, domain.Validity, error) {
	r := newParamReader(p, filterParams, []string{paramLimit, paramThreshold, paramInclude})
	r.rejectUnknown()
	incidentID := parseID(r, id)
	q := domain.SemanticQuery{
		Limit:            r.intIn(paramLimit, defaultSearchLimit, 1, maxSearchLimit),
		Threshold:        r.floatIn(paramThreshold, defaultSearchThreshold, 0, 1),
		Filter:           r.filter(),
		ExcludeIDs:       []int64{incidentID},
		IncludeEmbedding: r.include(),
	}
	if err := r.errs.Err(); err != nil {
		return SimilarResult{}, domain.Validity{}, err
	}
	var v domain.Validity
	e, read, err := s.incidents.Get(ctx, domain.GetQuery{ID: incidentID, IncludeEmbedding: true})
	if err != nil {
		return SimilarResult{}, domain.Validity{}, fmt.Errorf("app: similar incidents: %w", err)
	}
	v.Add(read)
	if !usableEmbedding(e.Embedding) {
		return SimilarResult{Incidents: []domain.ScoredIncident{}, Limit: q.Limit}, v, nil
	}
	q.Embedding = e.Embedding
	found, read, err := s.incidents.Search(ctx, q)
	if err != nil {
		return SimilarResult{}, domain.Validity{}, fmt.Errorf("app: similar incidents: %w", err)
	}
	v.Add(read)
	return SimilarResult{Incidents: nonNil(found), Limit: q.Limit}, v, nil
}

// checkEmbedding validates a query vector: 384 finite float32 values, not all zero.
func checkEmbedding(errs *domain.ValidationError, v []float64) []float32 {
	if v == nil {
		errs.Add(fieldEmbedding, "is required")
		return nil
	}
	if len(v) != domain.EmbeddingDimensions {
		errs.Add(fieldEmbedding, fmt.Sprintf("must have exactly %d numbers, got %d", domain.EmbeddingDimensions, len(v)))
		return nil
	}
	out := make([]float32, len(v))
	for i, x := range v {
		f := float32(x)
		if math.IsNaN(x) || math.IsInf(float64(f), 0) {
			errs.Add(fieldEmbedding, fmt.Sprintf("element %d is not a finite 32-bit number", i))
			return nil
		}
		out[i] = f
	}
	if !usableEmbedding(out) {
		errs.Add(fieldEmbedding, "must not be the zero vector")
		return nil
	}
	return out
}

// usableEmbedding reports whether cosine similarity is defined for v.
func usableEmbedding(v []float32) bool {
	if len(v) != domain.EmbeddingDimensions {
		return false
	}
	for _, x := range v {
		if x != 0 {
			return true
		}
	}
	return false
}

func nonNil(found []domain.ScoredIncident) []domain.ScoredIncident {
	if found == nil {
		return []domain.ScoredIncident{}
	}
	return found
}
