package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// checkAnswer fails unless rec is a 200 JSON body or a problem document of one of the
// allowed 4xx statuses naming its request id: no input may cause a 5xx.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, allowed ...int) {
	t.Helper()
	if rec.Header().Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-Id")
	}
	if rec.Code == http.StatusOK {
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("200 with %q: %s", ct, rec.Body.String())
		}
		return
	}
	ok := false
	for _, s := range allowed {
		ok = ok || rec.Code == s
	}
	if !ok {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("problem with Content-Type %q", ct)
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.RequestID == "" || p.Type == "" {
		t.Fatalf("not a problem document: %s", rec.Body.String())
	}
	if rec.Code == http.StatusBadRequest && len(p.Errors) == 0 {
		t.Fatalf("a 400 names no field: %s", rec.Body.String())
	}
}

func FuzzListParams(f *testing.F) {
	for _, seed := range []string{
		"", "limit=5&offset=5", "limit=0", "namespace=%ff", "severity=critical&severity=warning", "cursor=abc",
		"since=2026-06-01T00:00:00Z&until=2026-05-01T00:00:00Z", "%zz", "a=1;b=2", "phase=failed&environment=test",
		"include=embedding&limit=100", "offset=10000&limit=100", "name=" + strings.Repeat("x", 300), "=&&=", "limit=+5",
	} {
		f.Add(seed)
	}
	env := newEnvWith(f, fixtureRepo(), Config{})
	f.Fuzz(func(t *testing.T, rawQuery string) {
		for _, path := range []string{"/api/v1/incidents", "/api/v1/aggregations/trend"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.URL.RawQuery = rawQuery
			rec := httptest.NewRecorder()
			env.srv.ServeHTTP(rec, req)
			checkAnswer(t, rec, http.StatusBadRequest)
		}
	})
}

func FuzzSemanticBody(f *testing.F) {
	vec, err := json.Marshal(porttest.FamilyVector(porttest.FamilyMemory))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"embedding":` + string(vec) + `}`,
		`{"query_embedding":` + string(vec) + `,"limit":3,"threshold":0.5,"filters":{"namespace":["production"]}}`,
		`{"embedding":[1e999]}`, `{"embedding":[]}`, `{}`, `null`, `[]`, ``, `{"limit":"x"}`, `{"filters":{"a":1}}`,
		`{"embedding":` + string(vec) + `} trailing`, `{"embedding":[` + strings.Repeat("0,", 383) + `0]}`,
	} {
		f.Add([]byte(seed))
	}
	env := newEnvWith(f, fixtureRepo(), Config{})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, semanticPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		env.srv.ServeHTTP(rec, req)
		checkAnswer(t, rec, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
	})
}
