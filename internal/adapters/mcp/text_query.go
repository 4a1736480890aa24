package mcp

import (
	"context"

	"github.com/contextapi/contextapi/internal/domain"
)

// errNoEmbedder refuses a text query while the service has no embedder to turn the
// text into a vector.
var errNoEmbedder = &domain.FieldError{Field: "text", Reason: "text queries need an embedder: set embedder_url"}

// similarToText answers find_similar_incidents for a text query. It is the one place a
// text query is answered: Options.TextSearch, when the root wires an embedder, or a
// tool error saying what is missing. Wiring it, once app.SemanticRequest takes a text
// query, is: req := in.SemanticRequest(); req.Query = text; return
// service.SemanticSearch(ctx, req).
func (t *tools) similarToText(ctx context.Context, in SimilarInput) (SimilarList, error) {
	if t.opts.TextSearch == nil {
		return SimilarList{}, errNoEmbedder
	}
	return t.opts.TextSearch(ctx, in.Text, in)
}
