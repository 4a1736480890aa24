package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type listBody struct {
	Incidents       []map[string]any `json:"incidents"`
	Total           int              `json:"total"`
	Limit           int              `json:"limit"`
	Offset          int              `json:"offset"`
	NextCursor      *string          `json:"next_cursor"`
	TotalIsEstimate bool             `json:"total_is_estimate"`
}

type similarBody struct {
	Incidents []map[string]any `json:"incidents"`
	Limit     int              `json:"limit"`
}

func idsOf(incidents []map[string]any) []int64 {
	out := make([]int64, len(incidents))
	for i, e := range incidents {
		out[i] = int64(e["id"].(float64))
	}
	return out
}

// The fixture in list order (start time descending, then id descending).
var fixtureListOrder = []int64{22, 15, 14, 5, 3, 4, 2, 1, 6, 7, 8, 10, 9, 11, 12, 13, 16, 18, 17, 25, 20, 19, 23, 24, 21}

func TestListIncidentsFirstPage(t *testing.T) {
	env := newEnv(t)
	rec := env.get(t, "/api/v1/incidents")
	body := decode[listBody](t, rec)
	assert.Equal(t, fixtureListOrder[:10], idsOf(body.Incidents))
	assert.Equal(t, 25, body.Total)
	assert.Equal(t, 10, body.Limit)
	assert.Equal(t, 0, body.Offset)
	assert.False(t, body.TotalIsEstimate)
	require.NotNil(t, body.NextCursor)
	assert.Regexp(t, `^</api/v1/incidents\?cursor=[A-Za-z0-9_-]+>; rel="next"$`, rec.Header().Get("Link"))
	assert.Contains(t, rec.Header().Get("Link"), url.QueryEscape(*body.NextCursor))

	// The top-level members come in the order of docs/api.md §1.2.
	assert.Regexp(t, `^\{"incidents":\[.*\],"total":25,"limit":10,"offset":0,"next_cursor":"[^"]+","total_is_estimate":false\}$`, rec.Body.String())
}

func TestListIncidentsAliasServesTheSameList(t *testing.T) {
	env := newEnv(t)
	for _, q := range []string{"", "?severity=critical&limit=3", "?limit=1000"} {
		a := env.get(t, "/api/v1/incidents"+q)
		b := env.get(t, "/api/v1/context/query"+q)
		assert.Equal(t, a.Code, b.Code, q)
		if a.Code == http.StatusOK {
			assert.Equal(t, a.Body.String(), b.Body.String(), q)
		}
	}
}

func TestListIncidentsFilters(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  []int64
		total int
	}{
		{"several values mean any", "severity=info&severity=warning&limit=100", []int64{22, 15, 3, 6, 7, 8, 10, 11, 12, 18, 20, 19}, 12},
		{"namespace", "namespace=staging", []int64{6, 7, 19}, 3},
		{"unicode value", "namespace=" + url.QueryEscape("命名空间"), []int64{23}, 1},
		{"environment", "environment=test", []int64{20}, 1},
		{"derived phase", "phase=failed", []int64{5, 4, 17, 25, 20}, 5},
		{"phase pending covers unknown and null statuses", "phase=pending", []int64{22, 15, 16, 18}, 4},
		{"cluster and action type", "cluster_name=prod-us-west-2&action_type=rollback_deployment", []int64{4, 17, 25}, 3},
		{"alert fingerprint", "alert_fingerprint=fp-004", []int64{4, 17, 25}, 3},
		{"name and status", "name=HighCPUUsage&status=completed", []int64{11, 12, 19}, 3},
		{"since inclusive, until exclusive", "since=2026-06-05T12:34:56.123456Z&until=2026-06-07T12:34:56.123456Z", []int64{18, 17}, 2},
		{"nothing matches", "namespace=nowhere", []int64{}, 0},
	}
	env := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := decode[listBody](t, env.get(t, "/api/v1/incidents?"+tt.query))
			assert.Equal(t, tt.want, idsOf(body.Incidents))
			assert.Equal(t, tt.total, body.Total)
		})
	}
}

func TestListIncidentsOffset(t *testing.T) {
	env := newEnv(t)
	rec := env.get(t, "/api/v1/incidents?limit=5&offset=5")
	body := decode[listBody](t, rec)
	assert.Equal(t, fixtureListOrder[5:10], idsOf(body.Incidents))
	assert.Equal(t, 5, body.Limit)
	assert.Equal(t, 5, body.Offset)
	assert.Equal(t, 25, body.Total)
	// The next link moves to the cursor: offset and cursor cannot be combined.
	link := rec.Header().Get("Link")
	assert.NotContains(t, link, "offset=")
	assert.Contains(t, link, "limit=5")
}

// TestListIncidentsPagingThroughCursor walks every page by next_cursor, and again by the
// Link header, with a filter: together the pages are the filtered list, in order.
func TestListIncidentsPagingThroughCursor(t *testing.T) {
	env := newEnv(t)
	var want []int64
	for _, id := range fixtureListOrder {
		if id != 22 && id != 21 { // the rows outside [now−365d, now): +400d and 2024
			want = append(want, id)
		}
	}
	const filters = "since=2025-06-15T00:00:00Z&until=2026-06-15T12:34:56.123456Z&phase=completed&phase=processing&phase=failed&phase=pending"

	t.Run("next_cursor", func(t *testing.T) {
		var got []int64
		target := "/api/v1/incidents?limit=4&" + filters
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10, "paging must end")
			rec := env.get(t, target)
			body := decode[listBody](t, rec)
			got = append(got, idsOf(body.Incidents)...)
			assert.Equal(t, len(want), body.Total)
			if body.NextCursor == nil {
				assert.Empty(t, rec.Header().Get("Link"), "no Link without a next page")
				break
			}
			target = "/api/v1/incidents?limit=4&" + filters + "&cursor=" + url.QueryEscape(*body.NextCursor)
		}
		assert.Equal(t, want, got)
	})
	t.Run("Link header", func(t *testing.T) {
		var got []int64
		target := "/api/v1/incidents?limit=4&" + filters
		link := regexp.MustCompile(`^<([^>]+)>; rel="next"$`)
		for pages := 0; target != ""; pages++ {
			require.Less(t, pages, 10, "paging must end")
			rec := env.get(t, target)
			got = append(got, idsOf(decode[listBody](t, rec).Incidents)...)
			target = ""
			if m := link.FindStringSubmatch(rec.Header().Get("Link")); m != nil {
				target = m[1]
			}
		}
		assert.Equal(t, want, got)
	})
}

func TestListIncidentsIncludeEmbedding(t *testing.T) {
	env := newEnv(t)
	without := decode[listBody](t, env.get(t, "/api/v1/incidents?limit=100"))
	for _, e := range without.Incidents {
		assert.NotContains(t, e, "embedding", "no embedding unless asked for")
	}
	with := decode[listBody](t, env.get(t, "/api/v1/incidents?limit=100&include=embedding"))
	require.Len(t, with.Incidents, 25)
	for _, e := range with.Incidents {
		if e["id"].(float64) == 16 { // NULL embedding
			assert.NotContains(t, e, "embedding")
			continue
		}
		assert.Len(t, e["embedding"], 384, "incident %v", e["id"])
	}
}

// The exact rendering of an incident: every field, in the order of docs/api.md §1.2, NULL as
// null, times in UTC with microseconds.
func TestGetIncidentExactBody(t *testing.T) {
	tests := []struct {
		id   string
		want string
	}{
		{"16", `{"id":16,"name":"KubeletDown","alert_fingerprint":null,"remediation_request_id":"test-rr-016",` +
			`"namespace":null,"cluster_name":null,"environment":null,"target_resource":"Node","target_name":"worker-05",` +
			`"phase":"pending","status":null,"severity":"critical","action_type":"cordon_drain_node",` +
			`"start_time":"2026-06-07T12:34:56.123456Z","end_time":null,"duration":null,"error_message":null,` +
			`"metadata":null,"created_at":null,"updated_at":null}`},
		{"17", `{"id":17,"name":"DeploymentFailure","alert_fingerprint":"fp-004","remediation_request_id":"test-rr-017",` +
			`"namespace":"production","cluster_name":"prod-us-west-2","environment":"production",` +
			`"target_resource":"Deployment","target_name":"api-service","phase":"failed","status":"rolled-back",` +
			`"severity":"critical","action_type":"rollback_deployment","start_time":"2026-06-05T12:34:56.123456Z",` +
			`"end_time":"2026-06-05T12:38:56.123456Z","duration":240000,` +
			`"error_message":"rollback timed out after 240s; reverted to revision 41",` +
			`"metadata":{"revision":41,"description":"Rollback to revision 41 timed out"},` +
			`"created_at":"2026-06-05T12:39:56.123456Z","updated_at":"2026-06-05T12:44:56.123456Z"}`},
	}
	env := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			rec := env.get(t, "/api/v1/incidents/"+tt.id)
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Equal(t, tt.want, rec.Body.String())
		})
	}
}

func TestGetIncidentValues(t *testing.T) {
	env := newEnv(t)
	t.Run("leap day microsecond stays on its day", func(t *testing.T) {
		e := decode[map[string]any](t, env.get(t, "/api/v1/incidents/21"))
		assert.Equal(t, "2024-02-29T23:59:59.999999Z", e["start_time"])
		assert.Equal(t, "completed", e["phase"])
	})
	t.Run("unicode and nested metadata", func(t *testing.T) {
		rec := env.get(t, "/api/v1/incidents/23")
		e := decode[map[string]any](t, rec)
		assert.Equal(t, "命名空间", e["namespace"])
		assert.Equal(t, "HighMemory-🚀", e["name"])
		meta, err := json.Marshal(e["metadata"])
		require.NoError(t, err)
		assert.JSONEq(t, `{"z": {"b": [1, 2.5, "x", null], "a": "ü"}, "description": "内存使用率超过 90% 🚀", "a": true}`, string(meta))
		assert.Contains(t, rec.Body.String(), `"description":"内存使用率超过 90% 🚀"`, "UTF-8 is kept, not escaped")
	})
	t.Run("derived phases", func(t *testing.T) {
		for id, phase := range map[string]string{"14": "processing", "18": "pending", "4": "failed", "1": "completed", "22": "pending"} {
			assert.Equal(t, phase, decode[map[string]any](t, env.get(t, "/api/v1/incidents/"+id))["phase"], id)
		}
	})
	t.Run("include=embedding", func(t *testing.T) {
		e := decode[map[string]any](t, env.get(t, "/api/v1/incidents/1?include=embedding"))
		assert.Len(t, e["embedding"], 384)
		keys := orderedKeys(t, env.get(t, "/api/v1/incidents/1?include=embedding").Body.Bytes())
		assert.Equal(t, "embedding", keys[len(keys)-1], "the embedding comes last")
		e = decode[map[string]any](t, env.get(t, "/api/v1/incidents/1"))
		assert.NotContains(t, e, "embedding")
	})
}

func TestGetIncidentNotFound(t *testing.T) {
	env := newEnv(t)
	p := requireProblem(t, env.get(t, "/api/v1/incidents/999"), http.StatusNotFound, "urn:contextapi:problem:not-found")
	assert.Equal(t, "/api/v1/incidents/999", p.Instance)
	assert.Empty(t, p.Errors)
}

// orderedKeys returns the member names of a JSON object in document order.
func orderedKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}
