package test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/dataset"
)

// BenchmarkTransport compares, in one run, uncached answers through the full stack with
// PostgreSQL reached over TCP loopback and over its Unix socket (docs/targets.md: pgbench -S
// measured the socket at ~1.6x TCP for tiny queries):
//
//	go test -run '^$' -bench BenchmarkTransport -benchtime 3s ./test/
func BenchmarkTransport(b *testing.B) {
	if !pg.Available() {
		b.Skip("needs CONTEXTAPI_TEST_DATABASE_URL")
	}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	events := dataset.Demo(now)
	tcp := pg.NewDatabase(b)
	require.NoError(b, postgres.Load(b.Context(), tcp, postgres.Events(events), postgres.LoadOptions{}))
	unix := socketDSN(b, tcp)
	handlers := map[string]http.Handler{}
	for name, dsn := range map[string]string{"tcp": tcp, "unix": unix} {
		repo, err := postgres.Open(dsn, postgres.Options{})
		require.NoError(b, err)
		b.Cleanup(func() { _ = repo.Close() })
		handlers[name] = benchServer(repo, now, nil)
	}
	targets := map[string]string{
		"get":  "/api/v1/incidents/288",
		"list": "/api/v1/incidents?namespace=checkout&limit=10",
	}
	for _, kind := range []string{"get", "list"} {
		for _, transport := range []string{"tcp", "unix"} {
			h := handlers[transport]
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, targets[kind], nil))
			require.Equal(b, http.StatusOK, rec.Code, rec.Body.String())
			b.Run(kind+"/"+transport, func(b *testing.B) { serveParallel(b, h, targets[kind]) })
		}
	}
}

// socketDSN is dsn (a URL) reaching the same server through its first Unix socket
// directory.
func socketDSN(b testing.TB, dsn string) string {
	b.Helper()
	conn, err := pgx.Connect(b.Context(), dsn)
	require.NoError(b, err)
	defer conn.Close(b.Context())
	var dirs string
	require.NoError(b, conn.QueryRow(b.Context(), "SHOW unix_socket_directories").Scan(&dirs))
	dir := strings.TrimSpace(strings.Split(dirs, ",")[0])
	if dir == "" {
		b.Skip("the server listens on no Unix socket")
	}
	u, err := url.Parse(dsn)
	require.NoError(b, err)
	q := u.Query()
	q.Set("host", dir)
	q.Set("port", u.Port())
	u.RawQuery = q.Encode()
	u.Host = ""
	return u.String()
}

func TestServiceReachesPostgreSQLOverItsUnixSocket(t *testing.T) {
	pg.Require(t)
	dsn := socketDSN(t, pg.NewDatabase(t))
	require.NotContains(t, dsn, "127.0.0.1")
	repo, err := postgres.Open(dsn, postgres.Options{})
	require.NoError(t, err)
	defer repo.Close()
	require.NoError(t, repo.Ping(t.Context()))
	var via string
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(t.Context())
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT COALESCE(inet_client_addr()::text, 'unix')").Scan(&via))
	require.Equal(t, "unix", via, "no client address: the connection came through the socket")
}
