package synthetic

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestVocabularyIsConsistent(t *testing.T) {
	require.NotPanics(t, func() { newWorld(1000, 1) })
	assert.Len(t, namespaces, 50)
	assert.Len(t, clusters, 8)
	assert.GreaterOrEqual(t, len(alerts), 40)
	for _, n := range namespaces {
		assert.LessOrEqual(t, len(n.name), 63)
	}
	for _, c := range clusters {
		assert.True(t, c.env.Valid(), c.name)
	}
	for _, a := range alerts {
		assert.Contains(t, []string{critical, warning, info}, a.severity[0], a.name)
		assert.Contains(t, []string{critical, warning, info, ""}, a.severity[1], a.name)
		assert.LessOrEqual(t, len(a.choices), 3, "%s: 1–3 actions per alert", a.name)
		for _, target := range a.targets {
			n := 0
			for _, c := range a.choices {
				if actions[actionIndex(c.action)].on.has(target.kind) {
					n++
				}
			}
			assert.Positive(t, n, "%s has no action for %s", a.name, kindNames[target.kind])
		}
	}
	for _, a := range actions {
		assert.LessOrEqual(t, len(a.name), 50)
		assert.NotEmpty(t, a.errors, a.name)
	}
}

func TestRepeatAttempts(t *testing.T) {
	byFingerprint := map[string][]domain.IncidentEvent{}
	for _, e := range tenK() {
		if e.AlertFingerprint != nil {
			byFingerprint[*e.AlertFingerprint] = append(byFingerprint[*e.AlertFingerprint], e)
		}
	}
	sizes := map[int]int{}
	var earlierFailed, earlier, lastFailed, last int
	for fp, group := range byFingerprint {
		require.LessOrEqual(t, len(group), maxAttempts, fp)
		sizes[len(group)]++
		for i, e := range group {
			assert.Equal(t, group[0].Name, e.Name, fp)
			assert.Equal(t, group[0].Namespace, e.Namespace, fp)
			assert.Equal(t, group[0].TargetResource+"/"+group[0].TargetName, e.TargetResource+"/"+e.TargetName, fp)
			assert.Equal(t, group[0].ClusterName, e.ClusterName, fp)
			failed := e.Outcome() == domain.OutcomeFailure
			if i < len(group)-1 {
				earlier++
				if failed {
					earlierFailed++
				}
				assert.Greater(t, group[i+1].StartTime.Sub(*e.EndTime).Minutes(), 9.0, "attempts of %s come minutes to hours apart", fp)
			} else {
				last++
				if failed {
					lastFailed++
				}
			}
		}
	}
	t.Logf("traces per fingerprint: %v", sizes)
	for n := 2; n <= maxAttempts; n++ {
		assert.Positive(t, sizes[n], "occurrences with %d attempts", n)
	}
	assert.Greater(t, float64(sizes[2]+sizes[3]+sizes[4])/float64(len(byFingerprint)), 0.1)
	assert.Greater(t, float64(earlierFailed)/float64(earlier), 2*float64(lastFailed)/float64(last),
		"earlier attempts fail more often than the last")
}

func TestSkew(t *testing.T) {
	events := tenK()
	namespaces, objects, alertNames := map[string]int{}, map[string]int{}, map[string]int{}
	for _, e := range events {
		ns := ""
		if e.Namespace != nil {
			ns = *e.Namespace
			namespaces[ns]++
		}
		objects[ns+"/"+e.TargetResource+"/"+e.TargetName]++
		alertNames[e.Name]++
	}
	busiest, median := spread(namespaces)
	t.Logf("%d namespaces, busiest %d, median %d", len(namespaces), busiest, median)
	assert.GreaterOrEqual(t, len(namespaces), 40)
	assert.Greater(t, busiest, 5*median)

	assert.GreaterOrEqual(t, len(objects), 300, "distinct objects")
	assert.LessOrEqual(t, len(objects), len(events)/10, "objects have histories")

	busiest, median = spread(alertNames)
	t.Logf("%d alerts, busiest %d, median %d", len(alertNames), busiest, median)
	assert.GreaterOrEqual(t, len(alertNames), 38)
	assert.Greater(t, busiest, 3*median)
}

func spread(counts map[string]int) (busiest, median int) {
	var xs []int
	for _, n := range counts {
		xs = append(xs, n)
	}
	slices.Sort(xs)
	return xs[len(xs)-1], xs[len(xs)/2]
}

// TestEmbeddingClusters checks that similarity search on the set is meaningful but not
// trivial: incidents of one alert are clearly closer to each other than to other alerts,
// yet an incident's nearest neighbour is sometimes of another alert.
func TestEmbeddingClusters(t *testing.T) {
	type point struct {
		alert, family string
		v             []float32
	}
	familyOf := map[string]string{}
	for _, a := range alerts {
		familyOf[a.name] = a.family
	}
	var points []point
	for _, e := range tenK()[:4000] {
		if e.Embedding != nil {
			points = append(points, point{e.Name, familyOf[e.Name], e.Embedding})
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	var sum, n [3]float64 // same alert, same family, other family
	for range 60_000 {
		a, b := points[r.IntN(len(points))], points[r.IntN(len(points))]
		k := 2
		switch {
		case a.alert == b.alert:
			k = 0
		case a.family == b.family:
			k = 1
		}
		sum[k] += cosine(a.v, b.v)
		n[k]++
	}
	same, family, other := sum[0]/n[0], sum[1]/n[1], sum[2]/n[2]
	t.Logf("mean cosine: same alert %.3f, same family %.3f, other %.3f", same, family, other)
	assert.InDelta(t, 0.8, same, 0.06)
	assert.InDelta(t, 0.65, family, 0.07)
	assert.InDelta(t, 0.15, other, 0.1)
	assert.Greater(t, same-family, 0.08)

	queries, hits := 120, 0
	for q := range queries {
		best, bj := -2.0, -1
		for j, p := range points {
			if j != q {
				if c := cosine(points[q].v, p.v); c > best {
					best, bj = c, j
				}
			}
		}
		if points[bj].alert == points[q].alert {
			hits++
		}
	}
	share := float64(hits) / float64(queries)
	t.Logf("nearest neighbour of the same alert: %.2f", share)
	assert.Greater(t, share, 0.7, "mostly the same alert")
	assert.Less(t, share, 0.97, "but not trivially separable")
}

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s // unit vectors
}

// BenchmarkGenerate measures generating 100k incidents with embeddings; ns/row × 1M is
// the time a 1M-row seed spends generating.
func BenchmarkGenerate(b *testing.B) {
	const rows = 100_000
	s := Generate(rows, 1, testNow)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for e := range s.All() {
			n += len(e.Embedding)
		}
		if n == 0 {
			b.Fatal("no embeddings")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
