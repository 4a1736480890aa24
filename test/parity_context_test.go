package test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/dataset"
)

// TestContextEndpointsAnswerAlikeOnBothRepositories serves the demo data set from memory
// and from PostgreSQL and requires the same recovery and historical contexts from both:
// the same incidents in the same order, outcomes, suggestions and sentences, and
// similarities equal within float32 rounding.
func TestContextEndpointsAnswerAlikeOnBothRepositories(t *testing.T) {
	eachPath(t, contextEndpointsAnswerAlikeOnBothRepositories)
}

func contextEndpointsAnswerAlikeOnBothRepositories(t *testing.T, pooled bool) {
	pg.Require(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	events := dataset.Demo(now)
	mem := memoryStack(events, now)
	db, _ := postgresStackVia(t, events, now, pooled)

	recovery := "/api/v1/context/remediation/"
	historical := "/api/v1/context/historical?"
	targets := []string{
		recovery + dataset.StoryCheckoutRestart,
		recovery + dataset.StoryCheckoutScale + "?limit=20&threshold=0.8&min_samples=2",
		recovery + dataset.StoryPaymentsRestart,
		recovery + dataset.StorySearchScale,      // no fingerprint
		recovery + dataset.StoryWorker07Cleanup,  // a node: NULL namespace
		recovery + dataset.StoryKafkaVolumeAgain, // written before migration 008
		recovery + dataset.StoryWorker03Drain,    // in flight
		recovery + "00000000-0000-0000-0000-000000000000",
		historical + "namespace=checkout&targetType=deployment&targetName=checkout-api&timeRange=30d&includeEmbeddings=true",
		historical + "namespace=checkout&targetType=Deployment&targetName=checkout-legacy",
		historical + "namespace=checkout&targetType=Deployment&targetName=checkout-legacy&timeRange=90d",
		historical + "namespace=&targetType=Node&targetName=worker-07",
		historical + "namespace=search&targetType=deployment&targetName=search-api&includeEmbeddings=false",
		historical + "namespace=data&targetType=deployment&targetName=pgbouncer&timeRange=12h&signalType=prometheus",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			m, d := mem.do(t, http.MethodGet, target, ""), db.do(t, http.MethodGet, target, "")
			require.Equal(t, m.status, d.status, "memory: %s\npostgres: %s", m.body, d.body)
			var mv, dv any
			require.NoError(t, json.Unmarshal(m.body, &mv))
			require.NoError(t, json.Unmarshal(d.body, &dv))
			if m.status != http.StatusOK {
				delete(mv.(map[string]any), "request_id")
				delete(dv.(map[string]any), "request_id")
			}
			assertAlike(t, "$", mv, dv)
		})
	}
}

// assertAlike compares decoded JSON, numbers within 1e-4 (PostgreSQL computes
// similarities in float32), everything else exactly.
func assertAlike(t *testing.T, path string, mem, db any) {
	t.Helper()
	switch m := mem.(type) {
	case map[string]any:
		d, ok := db.(map[string]any)
		if !assert.True(t, ok, "%s: an object in memory, %T in PostgreSQL", path, db) {
			return
		}
		assert.ElementsMatch(t, keysOf(m), keysOf(d), "%s: keys", path)
		for k, v := range m {
			assertAlike(t, path+"."+k, v, d[k])
		}
	case []any:
		d, ok := db.([]any)
		if !assert.True(t, ok, "%s: an array in memory, %T in PostgreSQL", path, db) || !assert.Len(t, d, len(m), path) {
			return
		}
		for i := range m {
			assertAlike(t, fmt.Sprintf("%s[%d]", path, i), m[i], d[i])
		}
	case float64:
		assert.InDelta(t, m, db, 1e-4, path)
	default:
		assert.Equal(t, mem, db, path)
	}
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
