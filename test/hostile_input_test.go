package test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
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

// injectionTemplates are classic SQL-injection shapes; %s is a prefix a filter value
// might plausibly start with. Crossed with prefixes and endings they make the bulk of
// R10's payloads.
var injectionTemplates = []string{
	"%s' OR '1'='1", `%s" OR "1"="1`, "%s') OR ('1'='1", "%s' OR 1=1", "%s'; DROP TABLE resource_action_traces",
	"%s' UNION SELECT NULL, NULL, NULL", "%s' AND pg_sleep(5) IS NULL", "%s'; SELECT pg_sleep(5)",
	"%s' || (SELECT current_user) || '", "%s'::regclass", "%s' AND 1=CAST((SELECT version()) AS int)",
	"%s$$; DROP TABLE action_histories; $$",
}

var (
	injectionPrefixes = []string{"", "default", "checkout"}
	injectionEndings  = []string{"", "--", "/*", ";", " #"}
)

// injectionPayloads is R10's corpus: the hand-picked hostileValues and every template
// with every prefix and ending.
func injectionPayloads() []string {
	payloads := slices.Clone(hostileValues)
	for _, tmpl := range injectionTemplates {
		for _, prefix := range injectionPrefixes {
			for _, ending := range injectionEndings {
				payloads = append(payloads, fmt.Sprintf(tmpl, prefix)+ending)
			}
		}
	}
	return payloads
}

// TestR10HostileFilterValuesAgainstPostgres sends every payload in every string filter
// of the list, the aggregations and the context endpoints to PostgreSQL: never a 5xx,
// never slow, no match, and the tables and the schema unchanged.
func TestR10HostileFilterValuesAgainstPostgres(t *testing.T) {
	payloads := injectionPayloads()
	params := []string{"namespace", "cluster_name", "environment", "action_type", "severity", "phase", "status", "name", "alert_fingerprint"}
	rec := reliability.Target(t, "R10", fmt.Sprintf("%d SQL-injection and odd-text payloads in each of the %d string filters of the list and the four aggregations, and in the context endpoints' path and parameters, against PostgreSQL with the demo data",
		len(payloads), len(params)))
	require.GreaterOrEqual(t, len(payloads), 150, "R10 asks for at least 150 payloads")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	dsn := loadDemo(t, now)
	s, _ := postgresStackFromDSN(t, dsn, now)
	rowsBefore, schemaBefore := traceCount(t, dsn), schemaFingerprint(t, dsn)

	paths := []string{"/api/v1/incidents", "/api/v1/aggregations/success-rate", "/api/v1/aggregations/namespaces",
		"/api/v1/aggregations/severity", "/api/v1/aggregations/trend"}
	checked, statuses := 0, map[int]int{}
	var slowest time.Duration
	for _, value := range payloads {
		for _, param := range params {
			for _, path := range paths {
				target := path + "?" + param + "=" + url.QueryEscape(value)
				start := time.Now()
				r := s.do(t, http.MethodGet, target, "")
				took := time.Since(start)
				slowest = max(slowest, took)
				statuses[r.status]++
				require.Less(t, r.status, 500, "%s: %s", target, r.body)
				assert.Less(t, took, time.Second, target)
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
			statuses[r.status]++
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
	rowsAfter := traceCount(t, dsn)
	assert.Equal(t, rowsBefore, rowsAfter, "no statement changed the data")
	assert.Equal(t, schemaBefore, schemaFingerprint(t, dsn), "no statement changed the schema")
	rec.Figure("requests", "%d", checked)
	rec.Figure("status codes", "%s", countsText(statuses))
	rec.Figure("slowest answer", "%s", slowest.Round(time.Microsecond))
	rec.Figure("traces before / after", "%d / %d", rowsBefore, rowsAfter)
}

// schemaFingerprint digests every column of the public schema: name, table, type.
func schemaFingerprint(t *testing.T, dsn string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var digest string
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT md5(string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name))
		FROM information_schema.columns WHERE table_schema = 'public'`).Scan(&digest))
	return digest
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
