package httpapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v4"
)

// openapiYAML is the hand-written OpenAPI 3.1 document of this API. Tests check it
// documents exactly the registered routes and that every tested response conforms.
//
//go:embed openapi.yaml
var openapiYAML []byte

// openapiJSON converts the document once per process: it is served often and never
// changes.
var openapiJSON = sync.OnceValues(func() ([]byte, error) {
	return yamlToJSON(openapiYAML)
})

// openapiDocument serves GET /openapi.json.
func (s *Server) openapiDocument(c echo.Context) error {
	return writeBlob(c, http.StatusOK, contentTypeJSON, s.openapi)
}

// yamlToJSON re-encodes a YAML document as JSON.
func yamlToJSON(in []byte) ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(in, &doc); err != nil {
		return nil, fmt.Errorf("httpapi: openapi.yaml: %w", err)
	}
	v, err := jsonValue(doc)
	if err != nil {
		return nil, fmt.Errorf("httpapi: openapi.yaml: %w", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("httpapi: openapi.yaml: %w", err)
	}
	return out, nil
}

// jsonValue turns decoded YAML into values encoding/json accepts: YAML allows mapping
// keys that are not strings, JSON does not.
func jsonValue(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			jv, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			v[k] = jv
		}
		return v, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("mapping key %v is not a string (quote it)", k)
			}
			jv, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			out[ks] = jv
		}
		return out, nil
	case []any:
		for i, e := range v {
			jv, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			v[i] = jv
		}
		return v, nil
	}
	return v, nil
}
