package client_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/adapters/auth/bearer"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
)

// The demo data set's facts the tests rely on (docs/tour.md shows them): they hold on
// every store that serves it, whenever it was generated.
const (
	demoIncidents       = 355
	demoCheckoutTotal   = 63
	demoRemediationID   = "fcd503bc-3367-498c-8af8-26ac6d657b18" // incidents 281 and 282 carry it
	demoFailedRestart   = 281                                    // checkout-api's, like 282, 285 and 288
	demoMissingIncident = 99999
)

// configFor is the service's configuration as `contextapi serve` would read it with no
// flags, file or environment, plus overrides (YAML key → value).
func configFor(overrides map[string]string) (contextapi.Config, error) {
	raw := map[string]string{}
	for _, k := range contextapi.Keys {
		raw[k.Name] = k.Default
	}
	raw["addr"] = "127.0.0.1:0"
	maps.Copy(raw, overrides)
	return contextapi.ParseConfig(raw, nil) // nil: no PG* variables, not in Kubernetes
}

// startService assembles the service exactly as `contextapi serve` does (the Wire
// injector, the read cache, the access configuration) and serves it over a real HTTP
// connection with httptest. wrap, when set, stands between the connection and the
// service (to inject failures).
func startService(overrides map[string]string, wrap func(http.Handler) http.Handler) (*httptest.Server, func(), error) {
	cfg, err := configFor(overrides)
	if err != nil {
		return nil, nil, err
	}
	a, cleanup, err := contextapi.InitializeApp(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	var h http.Handler = a.Server
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	return srv, func() { srv.Close(); cleanup() }, nil
}

// serve is startService for a test, closed when it ends.
func serve(t testing.TB, overrides map[string]string, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	srv, stop, err := startService(overrides, wrap)
	require.NoError(t, err)
	t.Cleanup(stop)
	return srv
}

// serveDemo serves the built-in demo data from memory, as `contextapi serve` does
// without a database.
func serveDemo(t testing.TB) *httptest.Server {
	t.Helper()
	return serve(t, nil, nil)
}

// servePostgres loads the demo data set into a database of the test's own and serves it
// as `contextapi serve --database-url` does.
func servePostgres(t testing.TB) *httptest.Server {
	t.Helper()
	dsn := pg.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, postgres.Load(ctx, dsn, postgres.Events(dataset.Demo(time.Now().UTC())), postgres.LoadOptions{}))
	return serve(t, map[string]string{"database_url": dsn}, nil)
}

// serveHTTPAPI serves the demo data through the real HTTP layer assembled by hand, for
// what the wired service cannot be configured to do here: authentication by
// fakeAuthenticator, readiness by health.
func serveHTTPAPI(t testing.TB, cfg httpapi.Config, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	now := time.Now
	svc := app.NewService(memory.NewRepository(dataset.Demo(now().UTC())), now, app.NewCursorCodec([]byte("client-test")))
	var h http.Handler = httpapi.NewServer(svc, prometheus.NewRegistry(), slog.New(slog.DiscardHandler), cfg)
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// fakeAuthenticator decides by token what only auth_mode kubernetes (a TokenReview and a
// SubjectAccessReview against an API server) decides for real: "forbidden" is a valid
// principal who may not read (403), "down" finds the backend unavailable (503); "good"
// may read; anything else is unknown (401).
type fakeAuthenticator struct{}

func (fakeAuthenticator) Authenticate(_ context.Context, token string) (domain.Principal, error) {
	switch token {
	case "good":
		return domain.Principal{Name: "client-test"}, nil
	case "forbidden":
		return domain.Principal{}, fmt.Errorf("fake: no RoleBinding: %w", domain.ErrForbidden)
	case "down":
		return domain.Principal{}, fmt.Errorf("fake: API server down: %w", domain.ErrUnavailable)
	}
	return domain.Principal{}, fmt.Errorf("fake: unknown token: %w", domain.ErrUnauthenticated)
}

// tokensFile writes a bearer tokens file letting token in, as `contextapi token` would
// make its line.
func tokensFile(t testing.TB, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	require.NoError(t, os.WriteFile(path, []byte(bearer.Line("client-test", token)+"\n"), 0o600))
	return path
}

// newToken returns a fresh bearer token.
func newToken(t testing.TB) string {
	t.Helper()
	token, err := bearer.NewToken()
	require.NoError(t, err)
	return token
}

// neverAnswers is a store that has not answered since start: readiness fails.
type neverAnswers struct{}

func (neverAnswers) Ping(context.Context) error {
	return fmt.Errorf("fake: connection refused: %w", domain.ErrUnavailable)
}

// counter counts the requests that reach the handler it wraps.
type counter struct{ n atomic.Int64 }

func (c *counter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		next.ServeHTTP(w, r)
	})
}

// failFirst answers the first n requests itself with fail, then lets the rest through;
// it records every request body, so that retried POSTs can be compared.
type failFirst struct {
	n      int64
	fail   http.HandlerFunc
	seen   atomic.Int64
	bodies chan []byte
}

func newFailFirst(n int64, fail http.HandlerFunc) *failFirst {
	return &failFirst{n: n, fail: fail, bodies: make(chan []byte, 100)}
}

func (f *failFirst) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.bodies <- body
		r.Body = io.NopCloser(bytes.NewReader(body))
		if f.seen.Add(1) <= f.n {
			f.fail(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// unavailable answers a 503 problem document with Retry-After, as the service does
// when its database cannot answer.
func unavailable(retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("X-Request-Id", "injected-503")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, `{"type":"urn:contextapi:problem:unavailable","title":"Service unavailable","status":503,`+
			`"detail":"The service cannot answer now; retry after the delay Retry-After gives.","instance":%q,"request_id":"injected-503"}`, r.URL.Path)
	}
}

// hangUp closes the connection without answering, as a crashing replica or a proxy
// dropping an idle connection does.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// serveHandler serves h, a stand-in for the service where a test needs an answer the
// service never gives.
func serveHandler(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
