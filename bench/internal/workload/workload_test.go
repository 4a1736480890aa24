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
