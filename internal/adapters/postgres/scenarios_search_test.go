package postgres

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// Scenario 03 (vector search) against the seed's deterministic embeddings; their layout is
// documented at the top of testdata/seed_upstream.sql.

// seedDirection is the seed's e_k: e_k[i] = cos(2π·k·i/384), i = 0..383. The seed builds
// every embedding from these; for 1 ≤ j ≠ k ≤ 191 they are orthogonal.
func seedDirection(k int) []float32 {
	v := make([]float32, domain.EmbeddingDimensions)
	for i := range v {
		v[i] = float32(math.Cos(2 * math.Pi * float64(k) * float64(i) / float64(domain.EmbeddingDimensions)))
	}
	return v
}

// referenceR is scenario 03's reference vector, the seed's R = e_1.
var referenceR = seedDirection(1)

// similarityToR is each trace's designed cosine similarity to R (the seed's r column).
var similarityToR = map[string]float64{
	"test-rr-001": 0.998, "test-rr-013": 0.996, "test-rr-011": 0.993, "test-rr-012": 0.988, "test-rr-006": 0.982,
	"test-rr-004": 0.45, "test-rr-005": 0.30, "test-rr-007": 0.20,
	"test-rr-002": 0, "test-rr-003": 0, "test-rr-009": 0, "test-rr-010": 0, "test-rr-014": 0, "test-rr-015": 0,
	"test-rr-008": -0.20,
}

// nearR are the five traces within a small perturbation of R, most similar first.
var nearR = rr(1, 13, 11, 12, 6)

// seedSimilarityTolerance absorbs float32 storage and arithmetic; the seed keeps every
// designed similarity at least 0.001 (ten tolerances) from every threshold tested.
const seedSimilarityTolerance = 1e-4

func seedSearch(t *testing.T, seed upstreamSeed, q domain.SemanticQuery) []domain.ScoredIncident {
	t.Helper()
	found, _, err := seed.repo.Search(t.Context(), q)
	require.NoError(t, err)
	require.NotNil(t, found, "no match is an empty result, not nil")
	return found
}

func scoredIDs(found []domain.ScoredIncident) []string {
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.Incident.RemediationRequestID
	}
	return out
}

// assertScoresToR checks that every score is the designed similarity to R, at least
// threshold, at most 1, and that scores never increase.
func assertScoresToR(t *testing.T, found []domain.ScoredIncident, threshold float64) {
	t.Helper()
	for i, f := range found {
		id := f.Incident.RemediationRequestID
		assert.InDelta(t, similarityToR[id], f.Similarity, seedSimilarityTolerance, id)
		assert.GreaterOrEqual(t, f.Similarity, threshold, id)
		assert.LessOrEqual(t, f.Similarity, 1.0, id)
		if i > 0 {
			assert.LessOrEqual(t, f.Similarity, found[i-1].Similarity, "scores must not increase (%s)", id)
		}
	}
}

// 03 #1 and #7: R, limit 5, threshold 0.8 → exactly the five near traces, scores in [0.8, 1].
func TestScenario03SearchNearReference(t *testing.T) {
	seed := openUpstreamSeed(t)
	found := seedSearch(t, seed, domain.SemanticQuery{Embedding: referenceR, Limit: 5, Threshold: 0.8})
	assert.Equal(t, nearR, scoredIDs(found))
	assertScoresToR(t, found, 0.8)
	for _, f := range found {
		assert.Nil(t, f.Incident.Embedding, "the embedding is served only when asked for")
	}
}

// 03 #2: a lower threshold never finds fewer; each threshold admits exactly the traces
// designed at or above it.
func TestScenario03ThresholdsAreMonotone(t *testing.T) {
	seed := openUpstreamSeed(t)
	cases := []struct {
		threshold float64
		want      []string
	}{
		{0.995, rr(1, 13)},
		{0.99, rr(1, 13, 11)},
		{0.9, nearR},
		{0.8, nearR},
		{0.5, nearR},
		{0.4, rr(1, 13, 11, 12, 6, 4)},
		{0.25, rr(1, 13, 11, 12, 6, 4, 5)},
		{0.1, rr(1, 13, 11, 12, 6, 4, 5, 7)},
	}
	counted := map[float64]int{}
	previous := 0
	for _, c := range cases {
		found := seedSearch(t, seed, domain.SemanticQuery{Embedding: referenceR, Limit: 10, Threshold: c.threshold})
		assert.Equal(t, c.want, scoredIDs(found), "threshold %v", c.threshold)
		assertScoresToR(t, found, c.threshold)
		assert.GreaterOrEqual(t, len(found), previous, "threshold %v found fewer than a higher one", c.threshold)
		previous = len(found)
		counted[c.threshold] = len(found)
	}
	assert.GreaterOrEqual(t, counted[0.5], counted[0.9], "upstream's check: count(0.5) ≥ count(0.9)")
}

// 03 #3: limits 1, 3, 5 and 10 at threshold 0.5 are never exceeded; the result is the
// most similar prefix.
func TestScenario03LimitIsRespected(t *testing.T) {
	seed := openUpstreamSeed(t)
	for _, c := range []struct {
		limit int
		want  []string
	}{
		{1, rr(1)},
		{3, rr(1, 13, 11)},
		{5, nearR},
		{10, nearR}, // only five reach 0.5
	} {
		found := seedSearch(t, seed, domain.SemanticQuery{Embedding: referenceR, Limit: c.limit, Threshold: 0.5})
		assert.LessOrEqual(t, len(found), c.limit)
		assert.Equal(t, c.want, scoredIDs(found), "limit %d", c.limit)
	}
}

// docs/api.md §3.3: filters apply before the limit (006, the only staging trace near R,
// does not take a production slot).
func TestScenario03FiltersApplyBeforeTheLimit(t *testing.T) {
	seed := openUpstreamSeed(t)
	found := seedSearch(t, seed, domain.SemanticQuery{
		Embedding: referenceR, Limit: 4, Threshold: 0.5,
		Filter: domain.Filter{Namespaces: []string{"production"}},
	})
	assert.Equal(t, rr(1, 13, 11, 12), scoredIDs(found))
}

// 03 #4: an empty (or missing) embedding is rejected by the use case before any query.
func TestScenario03EmptyEmbeddingIsRejected(t *testing.T) {
	seed := openUpstreamSeed(t)
	svc := seed.service()
	for name, embedding := range map[string][]float64{"empty": {}, "missing": nil} {
		_, _, err := svc.SemanticSearch(t.Context(), app.SemanticRequest{Embedding: embedding})
		require.ErrorIs(t, err, domain.ErrInvalidArgument, name)
		var verr *domain.ValidationError
		require.True(t, errors.As(err, &verr), name)
		require.Len(t, verr.Fields, 1, name)
		assert.Equal(t, "embedding", verr.Fields[0].Field, name)
	}
}

// 03 #5 and #6: vectors unrelated to every trace find nothing, without an error: e_100
// (orthogonal to all fifteen) and a fixed pseudo-random vector in [−1, 1]^384 (its
// similarity to each trace is about ±0.05).
func TestScenario03UnrelatedVectorFindsNothing(t *testing.T) {
	seed := openUpstreamSeed(t)
	rnd := rand.New(rand.NewPCG(3, 3))
	random := make([]float32, domain.EmbeddingDimensions)
	for i := range random {
		random[i] = float32(rnd.Float64()*2 - 1)
	}
	for _, c := range []struct {
		name      string
		vec       []float32
		limit     int
		threshold float64
	}{
		{"orthogonal, 0.99", seedDirection(100), 10, 0.99},
		{"orthogonal, 0.01", seedDirection(100), 10, 0.01},
		{"random, 0.99", random, 10, 0.99},
		{"random, 0.8", random, 5, 0.8},
	} {
		found := seedSearch(t, seed, domain.SemanticQuery{Embedding: c.vec, Limit: c.limit, Threshold: c.threshold})
		assert.Empty(t, found, c.name)
	}
}

// 03 #8: scores never increase, down the whole ranking above 0.1.
func TestScenario03ScoresNonIncreasing(t *testing.T) {
	seed := openUpstreamSeed(t)
	found := seedSearch(t, seed, domain.SemanticQuery{Embedding: referenceR, Limit: 10, Threshold: 0.1})
	assert.Equal(t, rr(1, 13, 11, 12, 6, 4, 5, 7), scoredIDs(found))
	assertScoresToR(t, found, 0.1)
}

// docs/scenarios.md §3 03: searching a stored trace's own vector returns that trace first with
// similarity 1, ahead of its nearest neighbour.
func TestScenario03OwnVectorComesFirst(t *testing.T) {
	seed := openUpstreamSeed(t)
	page, _, err := seed.repo.List(t.Context(), domain.ListQuery{Limit: 100, IncludeEmbedding: true})
	require.NoError(t, err)
	require.Len(t, page.Incidents, len(seedTraces))
	for _, e := range page.Incidents {
		require.Len(t, e.Embedding, domain.EmbeddingDimensions, e.RemediationRequestID)
		found := seedSearch(t, seed, domain.SemanticQuery{Embedding: e.Embedding, Limit: 2, Threshold: 0})
		require.NotEmpty(t, found, e.RemediationRequestID)
		assert.Equal(t, e.RemediationRequestID, found[0].Incident.RemediationRequestID)
		assert.InDelta(t, 1, found[0].Similarity, 1e-6, e.RemediationRequestID)
		if len(found) == 2 {
			assert.Less(t, found[1].Similarity, found[0].Similarity-0.001, e.RemediationRequestID)
		}
	}
}
