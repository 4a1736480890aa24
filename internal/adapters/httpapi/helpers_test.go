package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// testEnv is a server over a repository, with its registry and captured logs.
type testEnv struct {
	srv  *Server
	reg  *prometheus.Registry
	logs *syncBuffer
}

// newEnv serves the contract fixture from the memory repository.
func newEnv(t *testing.T) *testEnv {
	t.Helper()
	return newEnvWith(t, fixtureRepo(), Config{})
}

func fixtureRepo() *memory.Repository {
	return memory.NewRepository(porttest.Fixture(porttest.FixtureNow))
}

func newEnvWith(t testing.TB, repo ports.Repository, cfg Config) *testEnv {
	t.Helper()
	return newEnvAt(t, repo, cfg, func() time.Time { return porttest.FixtureNow })
}

// newEnvAt is newEnvWith on the given clock.
func newEnvAt(t testing.TB, repo ports.Repository, cfg Config, now func() time.Time) *testEnv {
	t.Helper()
	svc := app.NewService(repo, now, app.NewCursorCodec([]byte("test")))
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := prometheus.NewRegistry()
	if cfg.Health == nil {
		cfg.Health = app.NewHealth(svc, now, app.HealthOptions{Store: "demo"})
	}
	return &testEnv{srv: NewServer(svc, reg, logger, cfg), reg: reg, logs: logs}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test's.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logLines decodes the JSON log lines.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	return out
}

// get serves a GET of target.
func (env *testEnv) get(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	return env.do(t, httptest.NewRequest(http.MethodGet, target, nil))
}

// postJSON serves a POST of body as application/json.
func (env *testEnv) postJSON(t *testing.T, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return env.do(t, req)
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// do serves req through the real router, then checks what every response must satisfy:
// an X-Request-Id, and conformance to the OpenAPI document — the response always, and
// the request too when the server accepted it (a 2xx request the document rejects would
// mean the document lies).
func (env *testEnv) do(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		require.NoError(t, err)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := httptest.NewRecorder()
	env.srv.ServeHTTP(rec, req)

	assert.Regexp(t, requestIDPattern, rec.Header().Get("X-Request-Id"), "every response carries X-Request-Id")
	req.Body = io.NopCloser(bytes.NewReader(body))
	checkAgainstDocument(t, req, body, rec)
	return rec
}

// apiDoc is the OpenAPI document loaded by kin-openapi, with a router over it.
type apiDoc struct {
	doc    *openapi3.T
	router routers.Router
}

var loadAPIDoc = sync.OnceValues(func() (*apiDoc, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiYAML)
	if err != nil {
		return nil, err
	}
	// NewRouter validates the document (3.1 rules, detected from its openapi field).
	router, err := legacyrouter.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &apiDoc{doc: doc, router: router}, nil
})

func mustAPIDoc(t *testing.T) *apiDoc {
	t.Helper()
	d, err := loadAPIDoc()
	require.NoError(t, err)
	return d
}

func checkAgainstDocument(t *testing.T, req *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	require.NoError(t, exchangeError(t, req, body, rec.Code, rec.Header(), rec.Body.Bytes()))
}

// exchangeError checks one request and its response against the document.
func exchangeError(t *testing.T, req *http.Request, reqBody []byte, status int, header http.Header, resBody []byte) error {
	t.Helper()
	d := mustAPIDoc(t)
	ctx := context.Background()
	route, pathParams, err := d.router.FindRoute(req)
	if err == nil && !templateMatches(route.Path, req.URL.Path) {
		// kin-openapi's router forgives a trailing slash; Echo's, like the document, not.
		err = fmt.Errorf("path %s only loosely matches %s", req.URL.Path, route.Path)
	}
	if err != nil {
		// No operation: the router's own 404 and 405, and its answer to OPTIONS, which
		// the document describes in words. The 404 and 405 are still problem documents.
		if req.Method == http.MethodOptions && status == http.StatusNoContent {
			if header.Get("Allow") == "" {
				return fmt.Errorf("OPTIONS answered without Allow")
			}
			return nil
		}
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("a request no operation matches answered %d, not 404 or 405 (%w)", status, err)
		}
		return schemaError(t, "Problem", resBody)
	}
	// Authentication is the server's to decide (off unless a test turns it on); the
	// document's security says what a client may send, which any request satisfies.
	opts := &openapi3filter.Options{IncludeResponseStatus: true, SkipSettingDefaults: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	reqInput := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: opts}
	if status >= 200 && status < 300 {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		if err := openapi3filter.ValidateRequest(ctx, reqInput); err != nil {
			return fmt.Errorf("an accepted request must conform to the document: %w", err)
		}
	}
	resInput := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	resInput.SetBodyBytes(resBody)
	if err := openapi3filter.ValidateResponse(ctx, resInput); err != nil {
		return fmt.Errorf("response must conform to the document: %w\n%s", err, resBody)
	}
	return nil
}

var templateParam = regexp.MustCompile(`\{[^}]+\}`)

// templateMatches reports whether path is an instance of the document's path template.
func templateMatches(template, path string) bool {
	parts := templateParam.Split(template, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "$").MatchString(path)
}

func schemaError(t *testing.T, name string, body []byte) error {
	t.Helper()
	d := mustAPIDoc(t)
	ref := d.doc.Components.Schemas[name]
	require.NotNil(t, ref, "schema %s", name)
	var v any
	require.NoError(t, json.Unmarshal(body, &v), string(body))
	return ref.Value.VisitJSON(v, openapi3.EnableJSONSchema2020())
}

// problem is a decoded problem document.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// fields lists the fields the problem names.
func (p problem) fields() []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Field
	}
	return out
}

// requireProblem checks rec is a problem document of status and type and decodes it.
func requireProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, typeURI string) problem {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	var p problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, typeURI, p.Type)
	assert.Equal(t, status, p.Status)
	assert.NotEmpty(t, p.Title)
	assert.NotEmpty(t, p.Detail)
	assert.Equal(t, rec.Header().Get("X-Request-Id"), p.RequestID, "problem and header carry the same request id")
	return p
}

// decode decodes a 200 JSON body.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var v T
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
	return v
}

func echoHTTPError(status int) error { return echo.NewHTTPError(status) }
