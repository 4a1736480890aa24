package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// Text queries of semantic search (docs/api.md §3.3).
const (
	fieldQuery = "query"
	// MaxQueryChars bounds a text query: a few paragraphs, well past what
	// all-MiniLM-L6-v2 reads (256 word pieces, the rest is cut off or refused).
	MaxQueryChars = 2000
)

// Option configures a Service.
type Option func(*Service)

// textQueries says how SemanticSearch answers a text query.
type textQueries struct {
	embedder  ports.Embedder
	synthetic bool
}

// WithEmbedder lets SemanticSearch take text queries, embedded by e.
func WithEmbedder(e ports.Embedder) Option {
	return func(s *Service) { s.text.embedder = e }
}

// WithSyntheticEmbeddings says the store's embeddings were not made from text by a model
// (the demo data's are drawn from named directions), so SemanticSearch refuses text
// queries, even with an embedder: no text's embedding could find those incidents.
func WithSyntheticEmbeddings() Option {
	return func(s *Service) { s.text.synthetic = true }
}

// checkQuery validates a text query and whether this service can answer one, and
// returns the text to embed.
func (s *Service) checkQuery(errs *domain.ValidationError, q string) string {
	switch {
	case !utf8.ValidString(q):
		errs.Add(fieldQuery, "must be valid UTF-8 text")
	case strings.TrimSpace(q) == "":
		errs.Add(fieldQuery, "must not be blank")
	case utf8.RuneCountInString(q) > MaxQueryChars:
		errs.Add(fieldQuery, fmt.Sprintf("must be at most %d characters, got %d", MaxQueryChars, utf8.RuneCountInString(q)))
	case s.text.synthetic:
		errs.Add(fieldQuery, "text queries cannot match the demo data: its embeddings are synthetic, not made from text by a model; "+
			"search with embedding (a vector), or serve a database whose embeddings contextapi embed made")
	case s.text.embedder == nil:
		errs.Add(fieldQuery, "text queries need an embedder: set embedder_url (or search with embedding, a vector)")
	default:
		return q
	}
	return ""
}

// embedQuery turns a valid text query into its embedding. A text the model refuses (too
// long for it, say) is the caller's to fix: a field error, not a failure.
func (s *Service) embedQuery(ctx context.Context, text string) ([]float32, error) {
	vecs, err := s.text.embedder.Embed(ctx, []string{text})
	if errors.Is(err, domain.ErrInvalidArgument) {
		ve := &domain.ValidationError{}
		ve.Add(fieldQuery, "the embedding model refused this text (too long for it?)")
		return nil, ve
	}
	if err != nil {
		return nil, fmt.Errorf("app: embed query: %w", err)
	}
	if len(vecs) != 1 || !usableEmbedding(vecs[0]) {
		return nil, errors.New("app: embed query: the embedder returned no usable embedding")
	}
	return vecs[0], nil
}
