package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// similarityDelta tolerates PostgreSQL computing distances in float32.
const similarityDelta = 1e-4

// families lists the members of every embedding family (see Fixture).
var families = map[Family][]int64{
	FamilyMemory:   {1, 13, 21, 23},
	FamilyCPU:      {11, 12, 19},
	FamilyWorkload: {2, 5, 9, 10, 20},
	FamilyNode:     {3, 14, 18},
	FamilyDeploy:   {4, 17, 25},
	FamilyCapacity: {6, 7},
	FamilySecrets:  {8, 22},
	FamilyStorage:  {15},
}

func (s *suite) testSearch(t *testing.T) {
	tests := []struct {
		name           string
		query          domain.SemanticQuery
		want           []int64
		wantSimilarity []float64
	}{
		{"its own vector finds an incident first",
			domain.SemanticQuery{Embedding: s.want[13].Embedding, Limit: 10, Threshold: 0.9},
			[]int64{13, 1, 21, 23}, []float64{1, 0.98046, 0.96065, 0.95074}},
		{"a family vector ranks the family by closeness",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 10, Threshold: 0.9},
			[]int64{1, 13, 21, 23}, []float64{0.99602, 0.98437, 0.97590, 0.96583}},
		{"threshold is the minimum similarity",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 10, Threshold: 0.98},
			[]int64{1, 13}, []float64{0.99602, 0.98437}},
		{"limit keeps the most similar",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 3, Threshold: 0.5},
			[]int64{1, 13, 21}, []float64{0.99602, 0.98437, 0.97590}},
		{"excluded ids never come back",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 10, Threshold: 0.5, ExcludeIDs: []int64{1, 21, 999}},
			[]int64{13, 23}, []float64{0.98437, 0.96583}},
		{"filters apply before the limit",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 2, Threshold: 0.1,
				Filter: domain.Filter{Namespaces: []string{"staging"}}},
			[]int64{6, 7}, []float64{0.19920, 0.19687}},
		{"a filter mixing a family member and others",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 10, Threshold: 0.1,
				Filter: domain.Filter{Environments: []string{"development"}}},
			[]int64{23, 8}, []float64{0.96583, 0.19920}},
		{"filters use the derived phase",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyNode), Limit: 10, Threshold: 0.1,
				Filter: domain.Filter{Phases: []domain.Phase{domain.PhasePending}}},
			[]int64{18, 15, 22}, []float64{0.96583, 0.19920, 0.19687}},
		{"filters and threshold together",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyWorkload), Limit: 10, Threshold: 0.9,
				Filter: domain.Filter{Phases: []domain.Phase{domain.PhaseFailed}, Since: ago(30 * 24 * time.Hour)}},
			[]int64{20, 5}, []float64{0.98437, 0.96583}},
		{"equal similarity orders by id descending",
			domain.SemanticQuery{Embedding: s.want[11].Embedding, Limit: 10, Threshold: 0.99},
			[]int64{12, 11}, []float64{1, 1}},
		{"a threshold above every similarity",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyStorage), Limit: 10, Threshold: 0.999},
			[]int64{}, []float64{}},
		{"a filter nothing matches",
			domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 10, Threshold: 0,
				Filter: domain.Filter{Namespaces: []string{"default' OR '1'='1"}}},
			[]int64{}, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found := s.search(t, tt.query)
			assert.Equal(t, tt.want, scoredIDs(found))
			if assert.Len(t, found, len(tt.wantSimilarity)) {
				for i, f := range found {
					assert.InDelta(t, tt.wantSimilarity[i], f.Similarity, similarityDelta, "incident %d", f.Incident.ID)
				}
			}
		})
	}

	t.Run("incidents without an embedding never match", func(t *testing.T) {
		found := s.search(t, domain.SemanticQuery{Embedding: FamilyVector(FamilyMemory), Limit: 50, Threshold: 0})
		want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 25}
		assert.ElementsMatch(t, want, scoredIDs(found), "all but 16 (NULL) and 24 (zero vector)")
		assert.Equal(t, []int64{1, 13, 21, 23}, scoredIDs(found[:4]))
		for i, f := range found {
			if i > 0 {
				assert.LessOrEqual(t, f.Similarity, found[i-1].Similarity+similarityDelta, "most similar first")
			}
			if i >= 4 {
				assert.InDelta(t, 0.195, f.Similarity, 0.005, "incident %d is of another family", f.Incident.ID)
			}
		}
	})

	t.Run("family members are above 0.9, other families below 0.5", func(t *testing.T) {
		for f, members := range families {
			found := s.search(t, domain.SemanticQuery{Embedding: FamilyVector(f), Limit: 50, Threshold: 0.5})
			assert.ElementsMatch(t, members, scoredIDs(found), "family %d", f)
			for _, id := range members {
				found := s.search(t, domain.SemanticQuery{Embedding: s.want[id].Embedding, Limit: 50, Threshold: 0.9})
				assert.ElementsMatch(t, members, scoredIDs(found), "from incident %d", id)
			}
		}
	})

	t.Run("embedding only when asked", func(t *testing.T) {
		q := domain.SemanticQuery{Embedding: FamilyVector(FamilyDeploy), Limit: 3, Threshold: 0.9}
		for _, f := range s.search(t, q) {
			s.assertIncident(t, f.Incident, false)
		}
		q.IncludeEmbedding = true
		found := s.search(t, q)
		require.Len(t, found, 3)
		for _, f := range found {
			s.assertIncident(t, f.Incident, true)
		}
	})
}

func (s *suite) search(t *testing.T, q domain.SemanticQuery) []domain.ScoredIncident {
	t.Helper()
	found, _, err := s.repo.Search(t.Context(), q)
	require.NoError(t, err)
	return found
}

func scoredIDs(found []domain.ScoredIncident) []int64 {
	out := make([]int64, 0, len(found))
	for _, f := range found {
		out = append(out, f.Incident.ID)
	}
	return out
}
