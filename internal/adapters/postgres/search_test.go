package postgres

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pgvector/pgvector-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// manyIncidents makes n incidents around the direction base: every hundredth of them,
// in namespace "rare", only loosely (similarity to base ≈ 0.29), the others tightly
// (≈ 0.89), so an index scan from base meets "common" rows first.
func manyIncidents(n int, base []float32) []domain.IncidentEvent {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	out := make([]domain.IncidentEvent, n)
	for i := range out {
		ns, weight := "common", float32(2)
		if i%100 == 0 {
			ns, weight = "rare", 0.3
		}
		vec := make([]float32, domain.EmbeddingDimensions)
		for j := range vec {
			vec[j] = weight*base[j] + float32(rng.NormFloat64())
		}
		out[i] = domain.IncidentEvent{
			ID: int64(i + 1), Name: "Alert", RemediationRequestID: "rr", Namespace: &ns,
			TargetResource: "Pod", TargetName: "p", Severity: "info", ActionType: "restart_pod",
			StartTime: start.Add(time.Duration(i) * time.Minute), Embedding: vec,
		}
	}
	return out
}

// TestFilteredSearchReturnsEveryMatchUpToTheLimit starves the index scan (a tiny
// candidate list, no iterative scan) under a 1%-selective filter: the index alone finds
// almost nothing, and the exact scan must make up the difference.
func TestFilteredSearchReturnsEveryMatchUpToTheLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	query := make([]float32, domain.EmbeddingDimensions)
	for j := range query {
		query[j] = float32(rng.NormFloat64())
	}
	events := manyIncidents(3000, query)
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(events), LoadOptions{}))
	metrics := NewMetrics(nil)
	// The filter is selective enough for an exact search at once: not here, where the
	// index path and its fallback are under test.
	repo, err := Open(dsn, Options{EfSearch: 10, IterativeScan: "off", Metrics: metrics, ExactSearchRows: -1})
	require.NoError(t, err)
	defer repo.Close()

	q := domain.SemanticQuery{Embedding: query, Limit: 25, Threshold: 0.1, Filter: domain.Filter{Namespaces: []string{"rare"}}}

	// The plan of the first statement really is the HNSW index.
	var plan []string
	require.NoError(t, repo.session(t.Context()).Raw(`EXPLAIN SELECT rat.id FROM resource_action_traces rat
		JOIN action_histories ah ON ah.id = rat.action_history_id JOIN resource_references rr ON rr.id = ah.resource_id
		WHERE rr.namespace = 'rare' AND rat.embedding IS NOT NULL ORDER BY rat.embedding <=> ? LIMIT 25`, pgvectorOf(query)).Scan(&plan).Error)
	assert.Regexp(t, `Index Scan using \S+_embedding_idx`, joinLines(plan), "the index path must be exercised")

	found, _, err := repo.Search(t.Context(), q)
	require.NoError(t, err)
	require.Len(t, found, 25, "30 rows match the filter, so the limit is met")
	assert.InDelta(t, 1, metrics.Queries("search"), 0, "the index scan went first")
	assert.InDelta(t, 1, metrics.Queries("search_exact"), 0, "the exact scan made up the difference")

	// The answer is the exact one: the 25 nearest "rare" rows, nearest first.
	want := exactNearest(events, query, func(e domain.IncidentEvent) bool {
		return *e.Namespace == "rare" && cosine(query, e.Embedding) >= 0.1
	}, 25)
	require.Len(t, want, 25)
	got := make([]int64, len(found))
	for i, f := range found {
		got[i] = f.Incident.ID
	}
	assert.Equal(t, want, got)
}

// A filter the planner expects to match few incidents is searched exactly at once; a
// broad one, or none, walks the index.
func TestSelectiveFiltersAreSearchedExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	query := make([]float32, domain.EmbeddingDimensions)
	for j := range query {
		query[j] = float32(rng.NormFloat64())
	}
	events := manyIncidents(3000, query)
	for i := range events { // an alert name per namespace: statistics the planner reads well
		events[i].Name = *events[i].Namespace + "-alert"
	}
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(events), LoadOptions{}))
	metrics := NewMetrics(nil)
	repo, err := Open(dsn, Options{Metrics: metrics, ExactSearchRows: 500})
	require.NoError(t, err)
	defer repo.Close()

	search := func(namespace string) []int64 {
		q := domain.SemanticQuery{Embedding: query, Limit: 10}
		if namespace != "" {
			q.Filter.Names = []string{namespace + "-alert"}
		}
		found, _, err := repo.Search(t.Context(), q)
		require.NoError(t, err)
		ids := make([]int64, len(found))
		for i, f := range found {
			ids[i] = f.Incident.ID
		}
		return ids
	}
	rare := search("rare") // 30 rows, estimated well under 500
	assert.Zero(t, metrics.Queries("search"), "no index scan for a selective filter")
	assert.InDelta(t, 1, metrics.Queries("search_exact"), 0)
	assert.Equal(t, exactNearest(events, query, func(e domain.IncidentEvent) bool { return *e.Namespace == "rare" }, 10), rare)

	search("common") // 2,970 rows
	search("")
	assert.InDelta(t, 2, metrics.Queries("search"), 0, "broad filters and none use the index")
	assert.InDelta(t, 1, metrics.Queries("search_exact"), 0)
}

func TestNULByteInAFilterIsInvalidArgument(t *testing.T) {
	repo := openLoaded(t, nil)
	_, _, err := repo.List(t.Context(), domain.ListQuery{Limit: 1, Filter: domain.Filter{Namespaces: []string{"a\x00b"}}})
	assert.ErrorIs(t, err, domain.ErrInvalidArgument)
}

func exactNearest(events []domain.IncidentEvent, q []float32, keep func(domain.IncidentEvent) bool, k int) []int64 {
	type scored struct {
		id  int64
		sim float64
	}
	var all []scored
	for _, e := range events {
		if keep(e) {
			all = append(all, scored{e.ID, cosine(q, e.Embedding)})
		}
	}
	for i := range all { // selection sort: a few dozen rows
		for j := i + 1; j < len(all); j++ {
			if all[j].sim > all[i].sim {
				all[i], all[j] = all[j], all[i]
			}
		}
	}
	out := []int64{}
	for i := 0; i < k && i < len(all); i++ {
		out = append(out, all[i].id)
	}
	return out
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func pgvectorOf(v []float32) any { return pgvector.NewVector(v) }
