package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSimilarIncidents(t *testing.T) {
	env := newEnv(t)
	t.Run("same family, most similar first, itself excluded", func(t *testing.T) {
		rec := env.get(t, "/api/v1/incidents/1/similar")
		body := decode[similarBody](t, rec)
		assert.Equal(t, 10, body.Limit)
		assert.ElementsMatch(t, []int64{13, 21, 23}, idsOf(body.Incidents))
		prev := 2.0
		for _, e := range body.Incidents {
			s := e["similarity"].(float64)
			assert.Greater(t, s, 0.7)
			assert.LessOrEqual(t, s, prev)
			prev = s
			assert.NotContains(t, e, "embedding")
		}
		keys := orderedKeys(t, []byte(strings.TrimSuffix(strings.SplitN(rec.Body.String(), `"incidents":[`, 2)[1], `],"limit":10}`)))
		assert.Equal(t, "similarity", keys[len(keys)-1], "similarity follows the IncidentEvent fields")
	})
	t.Run("threshold 0 admits every embedded incident, limit bounds them", func(t *testing.T) {
		body := decode[similarBody](t, env.get(t, "/api/v1/incidents/1/similar?threshold=0&limit=50"))
		assert.Len(t, body.Incidents, 22, "25 less itself, 16 (no embedding) and 24 (zero vector)")
		body = decode[similarBody](t, env.get(t, "/api/v1/incidents/1/similar?threshold=0&limit=5"))
		assert.Len(t, body.Incidents, 5)
		assert.Equal(t, 5, body.Limit)
	})
	t.Run("filters apply before the limit", func(t *testing.T) {
		body := decode[similarBody](t, env.get(t, "/api/v1/incidents/1/similar?threshold=0&limit=2&namespace=staging"))
		require.Len(t, body.Incidents, 2, "two of the three staging incidents, though others are more similar")
		assert.Subset(t, []int64{6, 7, 19}, idsOf(body.Incidents))
	})
	t.Run("include=embedding", func(t *testing.T) {
		body := decode[similarBody](t, env.get(t, "/api/v1/incidents/1/similar?include=embedding"))
		require.NotEmpty(t, body.Incidents)
		for _, e := range body.Incidents {
			assert.Len(t, e["embedding"], 384)
		}
	})
	t.Run("no embedding: empty list", func(t *testing.T) {
		for _, id := range []string{"16", "24"} {
			rec := env.get(t, "/api/v1/incidents/"+id+"/similar")
			assert.Equal(t, `{"incidents":[],"limit":10}`, rec.Body.String(), id)
		}
	})
	t.Run("unknown incident", func(t *testing.T) {
		requireProblem(t, env.get(t, "/api/v1/incidents/999/similar"), http.StatusNotFound, "urn:contextapi:problem:not-found")
	})
}
