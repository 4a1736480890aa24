package httpapi

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

// semanticSearch serves POST /api/v1/search/semantic.
func (s *Server) semanticSearch(c echo.Context) error {
	p, err := queryParams(c)
	if err != nil {
		return err
	}
	if len(p) > 0 {
		// Everything this endpoint takes is in the body; a `?limit=` would otherwise be
		// silently ignored.
		ve := &domain.ValidationError{}
		for _, name := range sortedNames(p) {
			ve.Add(safeName(name), "unknown parameter (this endpoint reads its input from the JSON body)")
		}
		return ve
	}
	req, alias, err := readSemanticBody(c)
	if err != nil {
		return err
	}
	res, validity, err := s.svc.SemanticSearch(c.Request().Context(), req)
	if err != nil {
		if alias {
			return renameField(err, memberEmbedding, memberQueryEmbedding)
		}
		return err
	}
	return s.writeAnswer(c, validity, func() any { return newSimilarListResponse(res) })
}

// renameField names the member the client actually sent: the app knows the vector only
// as embedding, whichever alias carried it.
func renameField(err error, from, to string) error {
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &domain.ValidationError{}
	for _, f := range ve.Fields {
		if f.Field == from {
			f.Field = to
		}
		out.Add(f.Field, f.Reason)
	}
	return out
}
