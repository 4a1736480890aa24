package dataset

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestDemoEmbeddings(t *testing.T) {
	for _, e := range Demo(testNow) {
		if e.Embedding == nil {
			continue
		}
		require.Len(t, e.Embedding, domain.EmbeddingDimensions)
		var norm float64
		for _, x := range e.Embedding {
			require.False(t, math.IsNaN(float64(x)) || math.IsInf(float64(x), 0), "id %d", e.ID)
			norm += float64(x) * float64(x)
		}
		assert.InDelta(t, 1, math.Sqrt(norm), 1e-5, "id %d: a unit vector", e.ID)
	}
}

func TestDemoSimilarityStructure(t *testing.T) {
	all := Demo(testNow)
	type stats struct{ sum, min, max, n float64 }
	rel := map[string]*stats{}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			a, b := all[i], all[j]
			if a.Embedding == nil || b.Embedding == nil {
				continue
			}
			k := "other family"
			switch {
			case a.Name == b.Name:
				k = "same alert"
			case alertByName(a.Name).family == alertByName(b.Name).family:
				k = "same family"
			}
			s := rel[k]
			if s == nil {
				s = &stats{min: 1, max: -1}
				rel[k] = s
			}
			c := cosine(a.Embedding, b.Embedding)
			s.sum, s.n, s.min, s.max = s.sum+c, s.n+1, min(s.min, c), max(s.max, c)
		}
	}
	tests := []struct {
		name              string
		meanLow, meanHigh float64
		floor, ceiling    float64
	}{
		{"same alert", 0.8, 0.95, 0.7, 1},
		{"same family", 0.6, 0.8, 0.5, 0.9},
		{"other family", -0.1, 0.3, -0.2, 0.4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := rel[tt.name]
			require.NotNil(t, s)
			mean := s.sum / s.n
			assert.True(t, mean > tt.meanLow && mean < tt.meanHigh, "mean %.3f", mean)
			assert.GreaterOrEqual(t, s.min, tt.floor)
			assert.LessOrEqual(t, s.max, tt.ceiling)
		})
	}
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}
