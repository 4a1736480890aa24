package test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileValues are SQL-injection payloads, odd unicode and control characters. Each
// must mean only itself: a filter value that matches nothing.
var hostileValues = []string{
	"default' OR '1'='1", "default'; DROP TABLE resource_action_traces;--", "' UNION SELECT * FROM pg_shadow--",
	"default') OR 1=1--", `"; SELECT pg_sleep(5);--`, "1; SELECT pg_sleep(5)", "' OR pg_sleep(5) IS NULL--",
	"%", "_", "\\", "'", `"`, "$1", "?", "@name", "::text", "/* comment */", "-- comment",
	"namespace-🚀", "命名空间", "مساحة-الاسم", "ネームスペース", "\u202eevil", "tab\there", "new\nline",
	strings.Repeat("a", 256), "x' AND (SELECT count(*) FROM generate_series(1,10000000)) > 0--",
}

// TestHostileFilterValuesAgainstPostgres sends every payload in every string filter of
// the list, the aggregations and the context endpoints to PostgreSQL: never a 5xx,
// never slow, no match, and the tables unchanged.
func TestHostileFilterValuesAgainstPostgres(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	dsn := loadDemo(t, now)
	s, _ := postgresStackFromDSN(t, dsn, now)
	rowsBefore := traceCount(t, dsn)

	params := []string{"namespace", "cluster_name", "action_type", "severity", "status", "name", "alert_fingerprint"}
	paths := []string{"/api/v1/incidents", "/api/v1/aggregations/success-rate", "/api/v1/aggregations/namespaces",
		"/api/v1/aggregations/severity", "/api/v1/aggregations/trend"}
	checked := 0
	for _, value := range hostileValues {
		for _, param := range params {
			for _, path := range paths {
				target := path + "?" + param + "=" + url.QueryEscape(value)
				start := time.Now()
				r := s.do(t, http.MethodGet, target, "")
				require.Less(t, r.status, 500, "%s: %s", target, r.body)
				assert.Less(t, time.Since(start), time.Second, target)
				if r.status == http.StatusOK && path == "/api/v1/incidents" {
					assert.EqualValues(t, 0, r.json(t)["total"], "%s matches only its literal value", target)
				}
				checked++
			}
		}
		for _, target := range []string{
			"/api/v1/context/remediation/" + url.PathEscape(value),
			"/api/v1/context/historical?namespace=" + url.QueryEscape(value) + "&targetType=Deployment&targetName=" + url.QueryEscape(value),
		} {
			r := s.do(t, http.MethodGet, target, "")
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusNotFound}, r.status, "%s: %s", target, r.body)
			checked++
		}
	}
	// NUL bytes and invalid UTF-8 never reach PostgreSQL (which would refuse them).
	for _, raw := range []string{"%00", "a%00b", "%ff", "%c3%28"} {
		r := s.do(t, http.MethodGet, "/api/v1/incidents?namespace="+raw, "")
		assert.Equal(t, http.StatusBadRequest, r.status, raw)
		var problem map[string]any
		require.NoError(t, json.Unmarshal(r.body, &problem))
		assert.Equal(t, "namespace", problem["errors"].([]any)[0].(map[string]any)["field"])
	}
	assert.Equal(t, rowsBefore, traceCount(t, dsn), "no statement changed the data")
	t.Logf("%d hostile requests, none answered 5xx", checked)
}

func traceCount(t *testing.T, dsn string) int64 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int64
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT count(*) FROM resource_action_traces").Scan(&n))
	return n
}
