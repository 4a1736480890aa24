package workload

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPerturbKeepsUnitLength(t *testing.T) {
	v, err := ParseVector("[0.6,0.8,0]")
	require.NoError(t, err)
	p := Perturb(rand.New(rand.NewPCG(1, 2)), v, 0.15) // #nosec G404 -- a test's fixed seed
	var n float64
	for _, x := range p {
		n += x * x
	}
	assert.InDelta(t, 1, math.Sqrt(n), 1e-12)
	assert.NotEqual(t, v, p)
}

func TestBuildNamesEveryWorkload(t *testing.T) {
	d := &Dataset{Rows: 10_000, Namespaces: []string{"a", "b", "c", "d", "e", "f", "g", "h"}, Selective: "h",
		GetIDs: make([]int64, 64), Vectors: [][]float64{{1, 0}}, Since30: "2026-01-01T00:00:00Z"}
	w := Build(d)
	assert.Len(t, w.ListCached, 4)
	assert.Len(t, w.GetCached, 16)
	assert.Len(t, w.GetUncached, 64)
	assert.Len(t, w.ListFiltered, 8)
	assert.Len(t, w.Large, len(LargeNames))
	assert.Len(t, w.AggUncached, len(AggNames))
	assert.Equal(t, "/api/v1/incidents?namespace=a", w.ListCached[1].URI)
	assert.Contains(t, string(w.SearchSelective[0].Body), `"filters":{"namespace":"h"}`)
}

// P7's moving windows never ask the same thing twice, and each is a 30-day window.
func TestMovingWindowsAreDistinct(t *testing.T) {
	w := movingWindows("2026-01-01T00:00:00Z")
	require.Len(t, w, len(AggNames))
	seen := map[string]bool{}
	for i, reqs := range w {
		require.Len(t, reqs, MovingRequests, AggNames[i])
		for _, r := range reqs {
			require.False(t, seen[r.URI], "%s asked twice", r.URI)
			seen[r.URI] = true
		}
	}
	assert.Equal(t, "/api/v1/aggregations/success-rate?since=2026-01-01T00%3A00%3A01Z", w[0][1].URI)
	assert.Equal(t, "/api/v1/aggregations/trend?days=30&until=2026-01-30T23%3A59%3A59Z", w[3][1].URI)
}
