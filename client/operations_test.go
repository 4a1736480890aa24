package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/client"
)

// TestEveryOperationOnTheDemoStore calls every method against the service serving the
// built-in demo data from memory.
func TestEveryOperationOnTheDemoStore(t *testing.T) {
	everyOperation(t, serveDemo(t).URL, "demo")
}

// TestEveryOperationOnPostgreSQL calls every method against the service reading the
// demo data from PostgreSQL.
func TestEveryOperationOnPostgreSQL(t *testing.T) {
	pg.Require(t)
	everyOperation(t, servePostgres(t).URL, "postgresql")
}

// everyOperation checks each method's answer against what the demo data set holds
// (docs/tour.md shows the same answers with curl).
func everyOperation(t *testing.T, baseURL, store string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.New(baseURL)
	require.NoError(t, err)

	t.Run("list", func(t *testing.T) {
		page, err := c.ListIncidents(ctx, client.ListOptions{Filters: client.Filters{Namespace: []string{"checkout"}}, Limit: 3})
		require.NoError(t, err)
		assert.EqualValues(t, demoCheckoutTotal, page.Total)
		assert.False(t, page.TotalIsEstimate)
		assert.Equal(t, 3, page.Limit)
		require.Len(t, page.Incidents, 3)
		assert.NotNil(t, page.NextCursor)
		first := page.Incidents[0]
		assert.Equal(t, int64(339), first.ID)
		assert.Equal(t, "HighCPUUsage", first.Name)
		assert.Equal(t, "checkout", *first.Namespace)
		assert.Equal(t, "Deployment", first.TargetResource)
		assert.Equal(t, "completed", first.Phase)
		assert.Equal(t, time.UTC, first.StartTime.Location())
		assert.NotNil(t, first.EndTime)
		assert.NotNil(t, first.DurationMs)
		assert.Nil(t, first.ErrorMessage, "a JSON null is a nil pointer")
		assert.Contains(t, first.Metadata, "replicas")
		assert.Empty(t, first.Embedding, "only with IncludeEmbedding")
		for _, inc := range page.Incidents {
			assert.Equal(t, "checkout", *inc.Namespace)
		}
	})
	t.Run("list with every filter", func(t *testing.T) {
		now := time.Now()
		page, err := c.ListIncidents(ctx, client.ListOptions{
			Filters: client.Filters{
				Namespace: []string{"checkout", "payments"}, Environment: []string{"production"},
				Phase: []string{"failed"}, Severity: []string{"critical", "warning"},
				Since: now.Add(-90 * 24 * time.Hour), Until: now,
			},
			Limit: 100, IncludeEmbedding: true,
		})
		require.NoError(t, err)
		require.NotEmpty(t, page.Incidents)
		for _, inc := range page.Incidents {
			assert.Contains(t, []string{"checkout", "payments"}, *inc.Namespace)
			assert.Equal(t, "production", *inc.Environment)
			assert.Equal(t, "failed", inc.Phase)
		}
		withEmbedding := 0
		for _, inc := range page.Incidents {
			if len(inc.Embedding) == 384 {
				withEmbedding++
			}
		}
		assert.Positive(t, withEmbedding)
	})
	t.Run("get", func(t *testing.T) {
		inc, err := c.GetIncident(ctx, demoFailedRestart, client.GetOptions{IncludeEmbedding: true})
		require.NoError(t, err)
		assert.Equal(t, demoRemediationID, inc.RemediationRequestID)
		assert.Len(t, inc.Embedding, 384)
	})
	t.Run("similar", func(t *testing.T) {
		res, err := c.SimilarIncidents(ctx, demoFailedRestart, client.SimilarOptions{Limit: 3, Threshold: new(0.8)})
		require.NoError(t, err)
		assert.Equal(t, 3, res.Limit)
		require.Len(t, res.Incidents, 3)
		assert.Equal(t, []int64{282, 285, 288}, ids(res.Incidents))
		assert.InDelta(t, 0.9897, res.Incidents[0].Similarity, 1e-3)
		assert.Equal(t, "checkout-api", res.Incidents[0].TargetName)
	})
	t.Run("semantic search", func(t *testing.T) {
		inc, err := c.GetIncident(ctx, 288, client.GetOptions{IncludeEmbedding: true})
		require.NoError(t, err)
		res, err := c.SemanticSearch(ctx, client.SemanticSearchRequest{
			Embedding: inc.Embedding, Limit: 5, Threshold: new(0.5),
			Filters: client.Filters{Environment: []string{"production"}},
		})
		require.NoError(t, err)
		require.NotEmpty(t, res.Incidents)
		assert.Equal(t, int64(288), res.Incidents[0].ID, "the incident is nearest to its own embedding")
		assert.InDelta(t, 1, res.Incidents[0].Similarity, 1e-4)
		for _, si := range res.Incidents {
			assert.Equal(t, "production", *si.Environment)
		}
	})
	t.Run("text search", func(t *testing.T) {
		_, err := c.SemanticSearch(ctx, client.SemanticSearchRequest{Query: "checkout pods restarting"})
		require.ErrorIs(t, err, client.ErrInvalid)
		var p *client.Problem
		require.ErrorAs(t, err, &p)
		require.Len(t, p.Errors, 1)
		assert.Equal(t, "query", p.Errors[0].Field)
		if store == "demo" {
			assert.Contains(t, p.Errors[0].Reason, "synthetic", "the demo data's embeddings match no text")
		} else {
			assert.Contains(t, p.Errors[0].Reason, "text queries need an embedder")
		}
	})
	t.Run("aggregations", func(t *testing.T) {
		sr, err := c.SuccessRate(ctx, client.Filters{})
		require.NoError(t, err)
		assert.EqualValues(t, demoIncidents, sr.Total)
		require.NotNil(t, sr.Rate)
		assert.InDelta(t, float64(sr.Succeeded)/float64(sr.Succeeded+sr.Failed), *sr.Rate, 1e-9)
		require.NotEmpty(t, sr.ByActionType)
		assert.NotNil(t, sr.ByActionType[0].AvgDurationMs)

		ns, err := c.NamespaceCounts(ctx, client.Filters{})
		require.NoError(t, err)
		assert.Len(t, ns.Groups, ns.Count)
		var total int64
		clusterScoped := false
		for _, g := range ns.Groups {
			total += g.Count
			clusterScoped = clusterScoped || g.Namespace == nil
		}
		assert.EqualValues(t, demoIncidents, total)
		assert.True(t, clusterScoped, "a null namespace is a nil pointer")

		sev, err := c.SeverityCounts(ctx, client.Filters{Namespace: []string{"checkout"}})
		require.NoError(t, err)
		total = 0
		for _, n := range sev.Distribution {
			total += n
		}
		assert.EqualValues(t, demoCheckoutTotal, total)

		tr, err := c.Trend(ctx, client.TrendOptions{Days: 7})
		require.NoError(t, err)
		assert.Equal(t, 7, tr.Days)
		require.Len(t, tr.Points, 7)
		today := time.Now().UTC().Truncate(24 * time.Hour)
		last := tr.Points[6].Date
		assert.True(t, last.Equal(today) || last.Equal(today.Add(-24*time.Hour)), "the last point is today (UTC): %s", last)
		assert.Equal(t, 24*time.Hour, tr.Points[1].Date.Sub(tr.Points[0].Date))
	})
	t.Run("recovery context", func(t *testing.T) {
		rc, err := c.RecoveryContext(ctx, demoRemediationID, client.RecoveryOptions{})
		require.NoError(t, err)
		assert.Equal(t, demoRemediationID, rc.Incident.RemediationRequestID)
		assert.NotEmpty(t, rc.PreviousAttempts)
		assert.NotEmpty(t, rc.SimilarIncidents)
		require.NotEmpty(t, rc.ActionOutcomes)
		require.NotEmpty(t, rc.SuggestedActions)
		assert.Equal(t, "increase_memory_limit", rc.SuggestedActions[0].ActionType)
		assert.InDelta(t, 1, rc.SuggestedActions[0].Rate, 0)
		assert.EqualValues(t, 9, rc.SuggestedActions[0].Samples)
	})
	t.Run("historical context", func(t *testing.T) {
		q := client.HistoricalQuery{Namespace: "checkout", TargetType: "deployment", TargetName: "checkout-api", TimeRange: 30 * 24 * time.Hour}
		hc, err := c.HistoricalContext(ctx, q)
		require.NoError(t, err)
		assert.True(t, hc.Available)
		assert.NotEmpty(t, hc.SimilarIncidents)
		assert.Positive(t, hc.SimilarIncidents[0].IncidentID)
		assert.Contains(t, hc.EnvironmentPatterns, "most_successful_action")
		require.Contains(t, hc.SuccessRates, "restart_pod")
		assert.InDelta(t, 0, hc.SuccessRates["restart_pod"].SuccessPercent, 0)

		q.WithoutSimilar = true
		hc, err = c.HistoricalContext(ctx, q)
		require.NoError(t, err)
		assert.Empty(t, hc.SimilarIncidents)
	})
	t.Run("health", func(t *testing.T) {
		h, err := c.Health(ctx)
		require.NoError(t, err)
		assert.Equal(t, "healthy", h.Status)
		assert.Equal(t, store, h.Store)
		r, err := c.Ready(ctx, client.ReadyOptions{Verbose: true})
		require.NoError(t, err)
		assert.Equal(t, "ready", r.Status)
		assert.NotEmpty(t, r.Checks)
	})
}

func ids(incidents []client.SimilarIncident) []int64 {
	out := make([]int64, len(incidents))
	for i, inc := range incidents {
		out[i] = inc.ID
	}
	return out
}
