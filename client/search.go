package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// SimilarIncident is an incident found by vector search, with its similarity to the
// query (1 − cosine distance).
type SimilarIncident struct {
	Incident
	Similarity float64 `json:"similarity"`
}

// SearchResult is the answer of a vector search: the incidents at least as similar as
// the threshold, most similar first (equal similarity: id descending).
type SearchResult struct {
	Incidents []SimilarIncident `json:"incidents"`
	Limit     int               `json:"limit"`
}

// SimilarOptions shapes SimilarIncidents (docs/api.md §3.3). Zero fields leave the
// service's defaults.
type SimilarOptions struct {
	// Filters apply before the limit.
	Filters
	// Limit is the most incidents returned, 1 to 50 (default 10).
	Limit int
	// Threshold is the least similarity, 0 to 1 (nil: the service's 0.7; 0 is a
	// threshold of its own, so this is a pointer: new(0.5)).
	Threshold *float64
	// IncludeEmbedding adds each found incident's embedding.
	IncludeEmbedding bool
}

// SimilarIncidents returns the incidents nearest to incident id's stored embedding, the
// incident itself left out (GET /api/v1/incidents/{id}/similar). An incident without an
// embedding has none; an unknown id is a *Problem matching ErrNotFound.
func (c *Client) SimilarIncidents(ctx context.Context, id int64, opts SimilarOptions) (*SearchResult, error) {
	q := url.Values{}
	setInt(q, "limit", opts.Limit)
	setFloat(q, "threshold", opts.Threshold)
	if opts.IncludeEmbedding {
		q.Set("include", "embedding")
	}
	opts.addTo(q)
	return send[SearchResult](ctx, c, request{
		op: "similar incidents", method: http.MethodGet,
		path: "/api/v1/incidents/" + strconv.FormatInt(id, 10) + "/similar", query: q,
	})
}

// SemanticSearchRequest is a search by a vector or by a text (docs/api.md §3.3): give
// exactly one of Embedding and Query. Zero fields other than those leave the service's
// defaults.
type SemanticSearchRequest struct {
	// Embedding is the query: 384 numbers (all-MiniLM-L6-v2), not all zero.
	Embedding []float32
	// Query is a text, at most 2000 characters, which the service embeds itself; it
	// needs an embedder configured there (embedder_url), else the answer is ErrInvalid.
	Query string
	// Limit is the most incidents returned, 1 to 50 (default 10).
	Limit int
	// Threshold is the least similarity, 0 to 1 (nil: the service's 0.7).
	Threshold *float64
	// Filters apply before the limit.
	Filters Filters
}

// semanticBody is SemanticSearchRequest as the service reads it.
type semanticBody struct {
	Embedding []float32      `json:"embedding,omitempty"`
	Query     string         `json:"query,omitempty"`
	Limit     int            `json:"limit,omitempty"`
	Threshold *float64       `json:"threshold,omitempty"`
	Filters   map[string]any `json:"filters,omitempty"`
}

// SemanticSearch returns the incidents nearest to req.Embedding, or to req.Query's (POST
// /api/v1/search/semantic). Although a POST, it is a read without side effects, and is
// retried like every other call (RetryPolicy).
func (c *Client) SemanticSearch(ctx context.Context, req SemanticSearchRequest) (*SearchResult, error) {
	body, err := json.Marshal(semanticBody{
		Embedding: req.Embedding, Query: req.Query, Limit: req.Limit, Threshold: req.Threshold, Filters: req.Filters.body(),
	})
	if err != nil {
		// Only a NaN or an infinity gets here; the service would refuse it too.
		return nil, fmt.Errorf("client: semantic search: %w: %w", ErrInvalid, err)
	}
	return send[SearchResult](ctx, c, request{
		op: "semantic search", method: http.MethodPost, path: "/api/v1/search/semantic", body: body,
	})
}
