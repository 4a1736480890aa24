package test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/dataset"
	"github.com/contextapi/contextapi/internal/domain"
)

// TestPostgresAnswersLikeTheEmbeddedStore serves the demo data set from memory and
// from PostgreSQL with the same clock and requires the same answers from every
// endpoint: same incidents, fields, totals, pages and aggregations. Semantic results
// may differ only where approximate (HNSW) search legitimately does: at least 90% of
// the exact results found, and equal similarities (±1e-4) for those found.
func TestPostgresAnswersLikeTheEmbeddedStore(t *testing.T) {
	eachPath(t, postgresAnswersLikeTheEmbeddedStore)
}

func postgresAnswersLikeTheEmbeddedStore(t *testing.T, pooled bool) {
	pg.Require(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	events := dataset.Demo(now)
	mem := memoryStack(events, now)
	db, _ := postgresStackVia(t, events, now, pooled)

	byID := map[int64]domain.IncidentEvent{}
	for _, e := range events {
		byID[e.ID] = e
	}
	gets := []string{
		"/api/v1/incidents",
		"/api/v1/context/query?namespace=payments",
		"/api/v1/incidents?limit=100&offset=50",
		"/api/v1/incidents?limit=3&include=embedding",
		"/api/v1/incidents?namespace=checkout&namespace=data&limit=50",
		"/api/v1/incidents?severity=critical&phase=failed&limit=100",
		"/api/v1/incidents?phase=pending&limit=100",
		"/api/v1/incidents?status=rolled-back&environment=production&limit=100",
		"/api/v1/incidents?cluster_name=dev-local&action_type=restart_pod",
		"/api/v1/incidents?name=HighMemoryUsage&limit=100",
		"/api/v1/incidents?alert_fingerprint=7ddf6f50493d07c5",
		"/api/v1/incidents?since=" + url.QueryEscape(now.Add(-7*24*time.Hour).Format(time.RFC3339)) + "&until=" + url.QueryEscape(now.Add(-24*time.Hour).Format(time.RFC3339)) + "&limit=100",
		"/api/v1/incidents?namespace=no-such-namespace",
		"/api/v1/incidents/1", "/api/v1/incidents/17", "/api/v1/incidents/288", "/api/v1/incidents/355",
		"/api/v1/incidents/99999", "/api/v1/incidents/349?include=embedding",
		"/api/v1/aggregations/success-rate",
		"/api/v1/aggregations/success-rate?namespace=checkout&since=" + url.QueryEscape(now.Add(-30*24*time.Hour).Format(time.RFC3339)),
		"/api/v1/aggregations/namespaces",
		"/api/v1/aggregations/namespaces?environment=production&phase=failed",
		"/api/v1/aggregations/severity",
		"/api/v1/aggregations/severity?cluster_name=prod-us-east-1",
		"/api/v1/aggregations/trend",
		"/api/v1/aggregations/trend?days=90",
		"/api/v1/aggregations/trend?days=7&severity=critical",
	}
	for _, target := range gets {
		t.Run(target, func(t *testing.T) {
			assertSameAnswer(t, mem.do(t, http.MethodGet, target, ""), db.do(t, http.MethodGet, target, ""))
		})
	}

	t.Run("every cursor page", func(t *testing.T) {
		target := "/api/v1/incidents?limit=37&severity=warning&severity=critical"
		pages := 0
		for target != "" {
			m, d := mem.do(t, http.MethodGet, target, ""), db.do(t, http.MethodGet, target, "")
			assertSameAnswer(t, m, d)
			next, _ := m.json(t)["next_cursor"].(string)
			target = ""
			if next != "" {
				target = "/api/v1/incidents?limit=37&severity=warning&severity=critical&cursor=" + next
			}
			pages++
		}
		assert.Greater(t, pages, 5)
	})

	similar := []string{
		"/api/v1/incidents/281/similar", "/api/v1/incidents/319/similar?limit=20&threshold=0.5",
		"/api/v1/incidents/261/similar?namespace=search&namespace=checkout", "/api/v1/incidents/17/similar",
		"/api/v1/incidents/99999/similar",
	}
	for _, target := range similar {
		t.Run(target, func(t *testing.T) {
			assertSameSearch(t, mem.do(t, http.MethodGet, target, ""), db.do(t, http.MethodGet, target, ""))
		})
	}
	for _, id := range []int64{288, 322, 225, 100} {
		vec, err := json.Marshal(byID[id].Embedding)
		require.NoError(t, err)
		for _, body := range []string{
			fmt.Sprintf(`{"embedding": %s}`, vec),
			fmt.Sprintf(`{"query_embedding": %s, "limit": 50, "threshold": 0.3}`, vec),
			fmt.Sprintf(`{"embedding": %s, "limit": 5, "threshold": 0.5, "filters": {"environment": ["staging", "development"], "phase": "completed"}}`, vec),
		} {
			t.Run(fmt.Sprintf("semantic like %d %.60s", id, body[len(body)-60:]), func(t *testing.T) {
				assertSameSearch(t, mem.do(t, http.MethodPost, "/api/v1/search/semantic", body),
					db.do(t, http.MethodPost, "/api/v1/search/semantic", body))
			})
		}
	}
}

func assertSameAnswer(t *testing.T, mem, db response) {
	t.Helper()
	require.Equal(t, mem.status, db.status, "memory: %s\npostgres: %s", mem.body, db.body)
	var m, d any
	require.NoError(t, json.Unmarshal(mem.body, &m))
	require.NoError(t, json.Unmarshal(db.body, &d))
	if mp, ok := m.(map[string]any); ok && mp["request_id"] != nil {
		delete(mp, "request_id") // problem documents carry per-request ids
		delete(d.(map[string]any), "request_id")
	}
	assert.Equal(t, m, d)
}

// assertSameSearch compares vector-search answers within what approximate search may
// legitimately change.
func assertSameSearch(t *testing.T, mem, db response) {
	t.Helper()
	require.Equal(t, mem.status, db.status, "memory: %s\npostgres: %s", mem.body, db.body)
	if mem.status != http.StatusOK {
		assertSameAnswer(t, mem, db)
		return
	}
	exact, exactOrder := incidentsByID(t, mem)
	approx, approxOrder := incidentsByID(t, db)
	// What both found comes in the same order.
	var common []string
	for _, id := range exactOrder {
		if _, ok := approx[id]; ok {
			common = append(common, id)
		}
	}
	var commonApprox []string
	for _, id := range approxOrder {
		if _, ok := exact[id]; ok {
			commonApprox = append(commonApprox, id)
		}
	}
	assert.Equal(t, common, commonApprox, "order of the incidents both searches found")
	found := 0
	for id, e := range exact {
		a, ok := approx[id]
		if !ok {
			continue
		}
		found++
		assert.InDelta(t, e["similarity"], a["similarity"], 1e-4, "incident %s", id)
		delete(e, "similarity")
		delete(a, "similarity")
		assert.Equal(t, e, a, "incident %s", id)
	}
	if len(exact) > 0 {
		assert.GreaterOrEqual(t, float64(found)/float64(len(exact)), 0.9, "recall against the exact search")
	}
	assert.LessOrEqual(t, len(approx), len(exact)+int(math.Ceil(0.1*float64(len(exact)))))
}

func incidentsByID(t *testing.T, r response) (map[string]map[string]any, []string) {
	t.Helper()
	out := map[string]map[string]any{}
	var order []string
	list, ok := r.json(t)["incidents"].([]any)
	require.True(t, ok, "incidents: %s", r.body)
	for _, item := range list {
		inc := item.(map[string]any)
		id := fmt.Sprint(inc["id"])
		out[id] = inc
		order = append(order, id)
	}
	return out, order
}
