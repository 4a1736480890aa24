package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const typeInvalidArgument = "urn:contextapi:problem:invalid-argument"

// badRequest is a request the API must refuse with a 400 naming fields.
type badRequest struct {
	name   string
	target string
	fields []string
}

func runBadRequests(t *testing.T, env *testEnv, tests []badRequest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := rawGet(t, tt.target)
			p := requireProblem(t, env.do(t, req), http.StatusBadRequest, typeInvalidArgument)
			assert.ElementsMatch(t, tt.fields, p.fields(), "fields named")
			for _, f := range tt.fields {
				assert.Contains(t, p.Detail, f+": ", "the detail names %s too", f)
			}
		})
	}
}

// rawGet builds a GET whose raw query is kept as is, so malformed percent-encoding
// reaches the server as a client would send it.
func rawGet(t *testing.T, target string) *http.Request {
	t.Helper()
	path, rawQuery, _ := strings.Cut(target, "?")
	req, err := http.NewRequest(http.MethodGet, "http://example.test"+path, nil)
	require.NoError(t, err)
	req.URL.RawQuery = rawQuery
	req.RequestURI = req.URL.RequestURI()
	return req
}

func TestListIncidentsRejects(t *testing.T) {
	env := newEnv(t)
	first := decode[listBody](t, env.get(t, "/api/v1/incidents"))
	require.NotNil(t, first.NextCursor)
	cursor := *first.NextCursor
	tampered := []byte(cursor)
	tampered[5] = map[bool]byte{true: 'B', false: 'A'}[tampered[5] == 'A']

	long := strings.Repeat("a", 257)
	for _, base := range []string{"/api/v1/incidents", "/api/v1/context/query"} {
		t.Run(base, func(t *testing.T) {
			runBadRequests(t, env, []badRequest{
				{"limit 0", base + "?limit=0", []string{"limit"}},
				{"limit 101", base + "?limit=101", []string{"limit"}},
				{"limit negative", base + "?limit=-1", []string{"limit"}},
				{"limit not a number", base + "?limit=ten", []string{"limit"}},
				{"limit fractional", base + "?limit=1.5", []string{"limit"}},
				{"limit empty", base + "?limit=", []string{"limit"}},
				{"limit twice", base + "?limit=1&limit=2", []string{"limit"}},
				{"offset negative", base + "?offset=-1", []string{"offset"}},
				{"offset past 10000", base + "?offset=10001", []string{"offset"}},
				{"offset not a number", base + "?offset=x", []string{"offset"}},
				{"cursor malformed", base + "?cursor=abc", []string{"cursor"}},
				{"cursor tampered", base + "?cursor=" + string(tampered), []string{"cursor"}},
				{"cursor with offset", base + "?offset=0&cursor=" + cursor, []string{"cursor"}},
				{"include other than embedding", base + "?include=everything", []string{"include"}},
				{"include empty", base + "?include=", []string{"include"}},
				{"unknown parameter", base + "?sevrity=critical", []string{"sevrity"}},
				{"parameter names are case-sensitive", base + "?Limit=5", []string{"Limit"}},
				{"since not RFC 3339", base + "?since=yesterday", []string{"since"}},
				{"until without zone", base + "?until=2026-01-02T15:04:05", []string{"until"}},
				{"since after until", base + "?since=2026-06-02T00:00:00Z&until=2026-06-01T00:00:00Z", []string{"since"}},
				{"since twice", base + "?since=2026-06-01T00:00:00Z&since=2026-06-02T00:00:00Z", []string{"since"}},
				{"filter value over 256 bytes", base + "?namespace=" + long, []string{"namespace"}},
				{"filter value not UTF-8", base + "?name=%ff", []string{"name"}},
				{"filter value with NUL", base + "?cluster_name=a%00b", []string{"cluster_name"}},
				{"one bad value among several", base + "?severity=critical&severity=%ff", []string{"severity"}},
				{"environment unknown", base + "?environment=prod", []string{"environment"}},
				{"phase unknown", base + "?phase=done", []string{"phase"}},
				{"bad percent-encoding", base + "?namespace=%zz", []string{"query"}},
				{"semicolon separator", base + "?limit=5;offset=5", []string{"query"}},
				{"every mistake at once", base + "?limit=0&offset=-1&phase=done&bogus=1", []string{"limit", "offset", "phase", "bogus"}},
			})
		})
	}
}

func TestListIncidentsAcceptsBounds(t *testing.T) {
	env := newEnv(t)
	for _, q := range []string{
		"limit=1", "limit=100", "offset=0", "offset=10000", "namespace=" + strings.Repeat("a", 256),
		"namespace=" + strings.Repeat("é", 128), "include=embedding", "environment=production&environment=test",
		"phase=pending&phase=processing&phase=completed&phase=failed", "since=2026-06-15T12:34:56.123456789%2B02:00",
		"since=2026-06-01T00:00:00Z&until=2026-06-01T00:00:00Z",
	} {
		rec := env.get(t, "/api/v1/incidents?"+q)
		assert.Equal(t, http.StatusOK, rec.Code, "%s: %s", q, rec.Body.String())
	}
}

func TestGetIncidentRejects(t *testing.T) {
	env := newEnv(t)
	runBadRequests(t, env, []badRequest{
		{"id not a number", "/api/v1/incidents/abc", []string{"id"}},
		{"id zero", "/api/v1/incidents/0", []string{"id"}},
		{"id negative", "/api/v1/incidents/-1", []string{"id"}},
		{"id beyond int64", "/api/v1/incidents/99999999999999999999", []string{"id"}},
		{"id with a sign", "/api/v1/incidents/+1", []string{"id"}},
		{"id fractional", "/api/v1/incidents/1.5", []string{"id"}},
		{"include other than embedding", "/api/v1/incidents/1?include=all", []string{"include"}},
		{"filters are not parameters of get", "/api/v1/incidents/1?namespace=production", []string{"namespace"}},
		{"bad id and unknown parameter", "/api/v1/incidents/abc?x=1", []string{"id", "x"}},
	})
}

func TestSimilarIncidentsRejects(t *testing.T) {
	env := newEnv(t)
	base := "/api/v1/incidents/1/similar"
	runBadRequests(t, env, []badRequest{
		{"id not a number", "/api/v1/incidents/abc/similar", []string{"id"}},
		{"id zero", "/api/v1/incidents/0/similar", []string{"id"}},
		{"id negative", "/api/v1/incidents/-1/similar", []string{"id"}},
		{"id huge", "/api/v1/incidents/9223372036854775808/similar", []string{"id"}},
		{"limit 0", base + "?limit=0", []string{"limit"}},
		{"limit 51", base + "?limit=51", []string{"limit"}},
		{"threshold above 1", base + "?threshold=1.1", []string{"threshold"}},
		{"threshold negative", base + "?threshold=-0.1", []string{"threshold"}},
		{"threshold NaN", base + "?threshold=NaN", []string{"threshold"}},
		{"threshold infinite", base + "?threshold=1e999", []string{"threshold"}},
		{"threshold not a number", base + "?threshold=high", []string{"threshold"}},
		{"include other than embedding", base + "?include=x", []string{"include"}},
		{"offset is not a parameter here", base + "?offset=1", []string{"offset"}},
		{"bad filter", base + "?environment=prod", []string{"environment"}},
		{"filter value with NUL", base + "?namespace=%00", []string{"namespace"}},
		{"bad percent-encoding", base + "?limit=%", []string{"query"}},
	})
}

func TestAggregationsReject(t *testing.T) {
	env := newEnv(t)
	for _, path := range []string{"success-rate", "namespaces", "severity", "trend"} {
		base := "/api/v1/aggregations/" + path
		t.Run(path, func(t *testing.T) {
			runBadRequests(t, env, []badRequest{
				{"unknown parameter", base + "?limit=5", []string{"limit"}},
				{"environment unknown", base + "?environment=qa", []string{"environment"}},
				{"phase unknown", base + "?phase=running", []string{"phase"}},
				{"since after until", base + "?since=2026-06-02T00:00:00Z&until=2026-06-01T00:00:00Z", []string{"since"}},
				{"filter value over 256 bytes", base + "?status=" + strings.Repeat("x", 257), []string{"status"}},
				{"filter value not UTF-8", base + "?severity=%c3%28", []string{"severity"}},
				{"bad percent-encoding", base + "?severity=%g0", []string{"query"}},
			})
		})
	}
	t.Run("trend days", func(t *testing.T) {
		runBadRequests(t, env, []badRequest{
			{"days 0", "/api/v1/aggregations/trend?days=0", []string{"days"}},
			{"days 366", "/api/v1/aggregations/trend?days=366", []string{"days"}},
			{"days not a number", "/api/v1/aggregations/trend?days=week", []string{"days"}},
			{"days elsewhere", "/api/v1/aggregations/severity?days=7", []string{"days"}},
		})
	})
}

// TestFieldNamesAreSafe checks a hostile parameter name comes back short, without NUL and as valid UTF-8.
func TestFieldNamesAreSafe(t *testing.T) {
	env := newEnv(t)
	for _, name := range []string{strings.Repeat("x", 100), "a%00b", "%ff", "%0a"} {
		p := requireProblem(t, env.do(t, rawGet(t, "/api/v1/incidents?"+name+"=1")), http.StatusBadRequest, typeInvalidArgument)
		require.Len(t, p.Errors, 1)
		f := p.Errors[0].Field
		assert.LessOrEqual(t, len(f), 66, f)
		assert.NotContains(t, f, "\x00", f)
		assert.True(t, utf8.ValidString(f), "field %q is valid UTF-8", f)
	}
}
