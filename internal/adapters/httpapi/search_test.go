package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/ports/porttest"
)

const semanticPath = "/api/v1/search/semantic"

// vectorJSON renders an embedding as a JSON array.
func vectorJSON(t *testing.T, v []float32) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// numbers renders n copies of x as a JSON array.
func numbers(n int, x string) string {
	return "[" + strings.TrimSuffix(strings.Repeat(x+",", n), ",") + "]"
}

func TestSemanticSearch(t *testing.T) {
	env := newEnv(t)
	memoryVec := vectorJSON(t, porttest.FamilyVector(porttest.FamilyMemory))
	tests := []struct {
		name  string
		body  string
		want  []int64
		limit int
	}{
		{"defaults: limit 10, threshold 0.7, most similar first", `{"embedding":` + memoryVec + `}`, []int64{1, 13, 21, 23}, 10},
		{"query_embedding alias", `{"query_embedding":` + memoryVec + `}`, []int64{1, 13, 21, 23}, 10},
		{"limit", `{"embedding":` + memoryVec + `,"limit":2}`, []int64{1, 13}, 2},
		{"integral number as limit", `{"embedding":` + memoryVec + `,"limit":2.0}`, []int64{1, 13}, 2},
		{"threshold", `{"embedding":` + memoryVec + `,"threshold":0.99}`, []int64{1}, 10},
		{"string filter", `{"embedding":` + memoryVec + `,"threshold":0,"filters":{"namespace":"命名空间"}}`, []int64{23}, 10},
		{"filters apply before the limit", `{"embedding":` + memoryVec + `,"threshold":0,"limit":1,"filters":{"namespace":["staging","logging"],"severity":"warning","environment":"production"}}`, []int64{10}, 1},
		{"time filters", `{"embedding":` + memoryVec + `,"filters":{"since":"2026-06-01T00:00:00Z","until":"2026-06-13T00:00:00Z"}}`, []int64{13, 23}, 10},
		{"empty filters", `{"embedding":` + memoryVec + `,"filters":{}}`, []int64{1, 13, 21, 23}, 10},
		{"nothing that similar", `{"embedding":` + vectorJSON(t, porttest.FamilyVector(porttest.FamilyStorage)) + `,"threshold":1}`, []int64{}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := decode[similarBody](t, env.postJSON(t, semanticPath, tt.body))
			assert.Equal(t, tt.want, idsOf(body.Incidents))
			assert.Equal(t, tt.limit, body.Limit)
			for _, e := range body.Incidents {
				assert.NotContains(t, e, "embedding")
				assert.InDelta(t, 0.5, e["similarity"], 0.5)
			}
		})
	}
}

func TestSemanticSearchContentTypeParameters(t *testing.T) {
	env := newEnv(t)
	req := httptest.NewRequest(http.MethodPost, semanticPath,
		strings.NewReader(`{"embedding":`+vectorJSON(t, porttest.FamilyVector(porttest.FamilyNode))+`}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	body := decode[similarBody](t, env.do(t, req))
	assert.Equal(t, []int64{3, 14, 18}, idsOf(body.Incidents))
}

func TestSemanticSearchRejectsBody(t *testing.T) {
	env := newEnv(t)
	vec := vectorJSON(t, porttest.FamilyVector(porttest.FamilyCPU))
	with := func(members string) string { return `{"embedding":` + vec + `,` + members + `}` }
	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"embedding too short", `{"embedding":` + numbers(383, "0.5") + `}`, []string{"embedding"}},
		{"embedding too long", `{"embedding":` + numbers(385, "0.5") + `}`, []string{"embedding"}},
		{"embedding empty", `{"embedding":[]}`, []string{"embedding"}},
		{"embedding overflowing float64", `{"embedding":` + strings.TrimSuffix(numbers(383, "0.5"), "]") + `,1e999]}`, []string{"embedding"}},
		{"embedding overflowing float32", `{"embedding":[1e39,` + numbers(383, "0.5")[1:] + `}`, []string{"embedding"}},
		{"zero vector", `{"embedding":` + numbers(384, "0") + `}`, []string{"embedding"}},
		{"zero vector as alias", `{"query_embedding":` + numbers(384, "0.0") + `}`, []string{"query_embedding"}},
		{"embedding missing", `{"limit":5}`, []string{"embedding"}},
		{"embedding null", `{"embedding":null}`, []string{"embedding"}},
		{"embedding as a string", `{"embedding":"[1,2,3]"}`, []string{"embedding"}},
		{"embedding of strings", `{"embedding":` + numbers(384, `"0.5"`) + `}`, []string{"embedding"}},
		{"embedding of arrays", `{"embedding":[[1]]}`, []string{"embedding"}},
		{"both embedding and query_embedding", `{"embedding":` + vec + `,"query_embedding":` + vec + `}`, []string{"query_embedding"}},
		{"unknown member", with(`"k":5`), []string{"k"}},
		{"member names are case-sensitive", with(`"Limit":5`), []string{"Limit"}},
		{"limit as a string", with(`"limit":"10"`), []string{"limit"}},
		{"limit fractional", with(`"limit":1.5`), []string{"limit"}},
		{"limit null", with(`"limit":null`), []string{"limit"}},
		{"limit 0", with(`"limit":0`), []string{"limit"}},
		{"limit 51", with(`"limit":51`), []string{"limit"}},
		{"limit huge", with(`"limit":1e999`), []string{"limit"}},
		{"limit huge negative", with(`"limit":-99999999999999999999`), []string{"limit"}},
		{"threshold as a string", with(`"threshold":"0.5"`), []string{"threshold"}},
		{"threshold boolean", with(`"threshold":true`), []string{"threshold"}},
		{"threshold above 1", with(`"threshold":1.5`), []string{"threshold"}},
		{"threshold negative", with(`"threshold":-0.1`), []string{"threshold"}},
		{"threshold infinite", with(`"threshold":1e999`), []string{"threshold"}},
		{"filters not an object", with(`"filters":"namespace=x"`), []string{"filters"}},
		{"filters null", with(`"filters":null`), []string{"filters"}},
		{"filter a number", with(`"filters":{"namespace":5}`), []string{"filters.namespace"}},
		{"filter array with a number", with(`"filters":{"severity":["critical",5]}`), []string{"filters.severity"}},
		{"filter an object", with(`"filters":{"name":{"eq":"x"}}`), []string{"filters.name"}},
		{"unknown filter", with(`"filters":{"nmespace":"x"}`), []string{"filters.nmespace"}},
		{"list parameters are not filters", with(`"filters":{"limit":"5"}`), []string{"filters.limit"}},
		{"filter environment unknown", with(`"filters":{"environment":"prod"}`), []string{"filters.environment"}},
		{"filter phase unknown", with(`"filters":{"phase":["failed","broken"]}`), []string{"filters.phase"}},
		{"filter since not RFC 3339", with(`"filters":{"since":"yesterday"}`), []string{"filters.since"}},
		{"filter since after until", with(`"filters":{"since":"2026-06-02T00:00:00Z","until":"2026-06-01T00:00:00Z"}`), []string{"filters.since"}},
		{"filter value over 256 bytes", with(`"filters":{"namespace":"` + strings.Repeat("n", 257) + `"}`), []string{"filters.namespace"}},
		{"filter value with NUL", with(`"filters":{"namespace":"a\u0000b"}`), []string{"filters.namespace"}},
		{"every mistake at once", `{"limit":"x","threshold":"y","extra":1}`, []string{"limit", "threshold", "extra"}},
		{"empty body", ``, []string{"body"}},
		{"only whitespace", " \n\t ", []string{"body"}},
		{"not JSON", `embedding=1,2,3`, []string{"body"}},
		{"truncated JSON", `{"embedding":[1,2`, []string{"body"}},
		{"null", `null`, []string{"body"}},
		{"an array", `[` + vec + `]`, []string{"body"}},
		{"a string", `"hello"`, []string{"body"}},
		{"trailing object", `{"embedding":` + vec + `} {}`, []string{"body"}},
		{"trailing garbage", `{"embedding":` + vec + `}x`, []string{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := requireProblem(t, env.postJSON(t, semanticPath, tt.body), http.StatusBadRequest, typeInvalidArgument)
			assert.ElementsMatch(t, tt.fields, p.fields(), "%+v", p.Errors)
		})
	}
}

func TestSemanticSearchNonFiniteElementIsNamed(t *testing.T) {
	env := newEnv(t)
	body := `{"embedding":[0.5,1e999,` + numbers(382, "0.5")[1:] + `}`
	p := requireProblem(t, env.postJSON(t, semanticPath, body), http.StatusBadRequest, typeInvalidArgument)
	require.Len(t, p.Errors, 1)
	assert.Equal(t, "embedding", p.Errors[0].Field)
	assert.Contains(t, p.Errors[0].Reason, "element 1")
}

func TestSemanticSearchRejectsMediaType(t *testing.T) {
	env := newEnv(t)
	body := `{"embedding":` + vectorJSON(t, porttest.FamilyVector(porttest.FamilyCPU)) + `}`
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "application/problem+json", "application/json; charset", "multipart/form-data; boundary=x"} {
		t.Run(ct, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, semanticPath, strings.NewReader(body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			requireProblem(t, env.do(t, req), http.StatusUnsupportedMediaType, "urn:contextapi:problem:unsupported-media-type")
		})
	}
}

func TestSemanticSearchBodyLimit(t *testing.T) {
	env := newEnv(t)
	vec := vectorJSON(t, porttest.FamilyVector(porttest.FamilyCPU))
	padded := func(size int) string {
		b := `{"embedding":` + vec + `}`
		return b + strings.Repeat(" ", size-len(b))
	}
	t.Run("64 KiB is allowed", func(t *testing.T) {
		rec := env.postJSON(t, semanticPath, padded(64<<10))
		assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	})
	t.Run("65 KiB with Content-Length", func(t *testing.T) {
		requireProblem(t, env.postJSON(t, semanticPath, padded(65<<10)), http.StatusRequestEntityTooLarge, "urn:contextapi:problem:payload-too-large")
	})
	t.Run("65 KiB chunked", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, semanticPath, strings.NewReader(padded(65<<10)))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1
		requireProblem(t, env.do(t, req), http.StatusRequestEntityTooLarge, "urn:contextapi:problem:payload-too-large")
	})
	t.Run("one byte over, chunked", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, semanticPath, strings.NewReader(padded(64<<10+1)))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1
		requireProblem(t, env.do(t, req), http.StatusRequestEntityTooLarge, "urn:contextapi:problem:payload-too-large")
	})
}

func TestSemanticSearchRejectsQueryParameters(t *testing.T) {
	env := newEnv(t)
	body := `{"embedding":` + vectorJSON(t, porttest.FamilyVector(porttest.FamilyCPU)) + `}`
	p := requireProblem(t, env.postJSON(t, semanticPath+"?limit=5&threshold=0", body), http.StatusBadRequest, typeInvalidArgument)
	assert.Equal(t, []string{"limit", "threshold"}, p.fields())
	p = requireProblem(t, env.postJSON(t, semanticPath+"?%zz", body), http.StatusBadRequest, typeInvalidArgument)
	assert.Equal(t, []string{"query"}, p.fields())
}
