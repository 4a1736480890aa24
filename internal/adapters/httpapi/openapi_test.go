package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenAPIDocumentIsValid31 loads the document as kin-openapi does for the tests and
// checks it is valid OpenAPI 3.1 (kin-openapi picks the 3.1 rules from the openapi field;
// no loader option is needed).
func TestOpenAPIDocumentIsValid31(t *testing.T) {
	d := mustAPIDoc(t)
	assert.Equal(t, "3.1.0", d.doc.OpenAPI)
	assert.True(t, d.doc.IsOpenAPI31OrLater())
	require.NoError(t, d.doc.Validate(context.Background()))
}

// TestOpenAPIMatchesRoutes requires the registered routes and the document's operations
// to match one to one, methods included. HEAD is implied by GET (the document says so
// in words): every GET route has its HEAD route, and no other route has one.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	env := newEnv(t)
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	var routes, gets, heads []string
	for _, r := range env.srv.echo.Routes() {
		path := param.ReplaceAllString(r.Path, "{$1}")
		switch r.Method {
		case http.MethodHead:
			heads = append(heads, path)
			continue
		case http.MethodGet:
			gets = append(gets, path)
		}
		routes = append(routes, r.Method+" "+path)
	}
	sort.Strings(gets)
	sort.Strings(heads)
	assert.Equal(t, gets, heads, "HEAD is served on every GET route and only there")
	assert.Contains(t, mustAPIDoc(t).doc.Info.Description, "HEAD is served on every GET operation, without a body")
	var documented []string
	for path, item := range mustAPIDoc(t).doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	sort.Strings(routes)
	sort.Strings(documented)
	assert.Equal(t, documented, routes)
	assert.Len(t, routes, 18, "docs/api.md §3")
}

// TestOpenAPIServedAsJSON checks /openapi.json is the YAML document, converted.
func TestOpenAPIServedAsJSON(t *testing.T) {
	env := newEnv(t)
	rec := env.get(t, "/openapi.json")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))

	served, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, served.Validate(context.Background()))
	want, err := json.Marshal(mustAPIDoc(t).doc)
	require.NoError(t, err)
	got, err := json.Marshal(served)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))

	var raw map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	assert.Equal(t, "3.1.0", raw["openapi"])
}

func TestYAMLToJSONRejectsNonStringKeys(t *testing.T) {
	_, err := yamlToJSON([]byte("responses:\n  200: {description: ok}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "quote it")
}

// TestOpenAPIValidatorIsStrict proves the response checks of every other test have teeth:
// kin-openapi, given this 3.1 document, rejects bodies that break its 3.1-only rules.
func TestOpenAPIValidatorIsStrict(t *testing.T) {
	env := newEnv(t)
	rec := env.get(t, "/api/v1/incidents/16")
	require.Equal(t, http.StatusOK, rec.Code)
	good := rec.Body.Bytes()
	require.NoError(t, schemaError(t, "IncidentEvent", good))

	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(good, &m))
		f(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	cases := map[string][]byte{
		"missing nullable field":     mutate(func(m map[string]any) { delete(m, "end_time") }),
		"extra field":                mutate(func(m map[string]any) { m["extra"] = 1 }),
		"wrong type in a type array": mutate(func(m map[string]any) { m["namespace"] = 3 }),
		"null where not nullable":    mutate(func(m map[string]any) { m["name"] = nil }),
		"time without microseconds":  mutate(func(m map[string]any) { m["start_time"] = "2026-06-07T12:34:56Z" }),
		"metadata as a string":       mutate(func(m map[string]any) { m["metadata"] = "{}" }),
		"similarity on a plain event": mutate(func(m map[string]any) {
			m["similarity"] = 0.5
		}),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, schemaError(t, "IncidentEvent", body))
		})
	}
	t.Run("similar incident needs similarity", func(t *testing.T) {
		assert.Error(t, schemaError(t, "SimilarIncident", good))
		assert.NoError(t, schemaError(t, "SimilarIncident", mutate(func(m map[string]any) { m["similarity"] = 0.5 })))
	})
	t.Run("problem type is one of ours", func(t *testing.T) {
		p := `{"type":"x","title":"t","status":400,"detail":"d","instance":"/","request_id":"r"}`
		assert.Error(t, schemaError(t, "Problem", []byte(p)))
		assert.NoError(t, schemaError(t, "Problem", []byte(strings.Replace(p, `"x"`, `"about:blank"`, 1))))
	})
}

// TestResponseValidationIsStrict proves openapi3filter, as the helpers call it, applies
// the 3.1 rules to responses on its own (it enables JSON Schema 2020-12 for 3.1
// documents): a body or header that breaks the document fails.
func TestResponseValidationIsStrict(t *testing.T) {
	env := newEnv(t)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/16", nil)
	rec := env.do(t, req)
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()

	badBody := strings.Replace(body, `"namespace":null`, `"namespace":3`, 1)
	require.NotEqual(t, body, badBody)
	assert.Error(t, exchangeError(t, req, nil, rec.Code, rec.Header(), []byte(badBody)), "wrong type")

	noID := rec.Header().Clone()
	noID.Del("X-Request-Id")
	assert.Error(t, exchangeError(t, req, nil, rec.Code, noID, rec.Body.Bytes()), "missing X-Request-Id")

	assert.Error(t, exchangeError(t, req, nil, http.StatusTeapot, rec.Header(), rec.Body.Bytes()), "undocumented status")

	plain := rec.Header().Clone()
	plain.Set("Content-Type", "text/plain")
	assert.Error(t, exchangeError(t, req, nil, rec.Code, plain, rec.Body.Bytes()), "wrong content type")
}
