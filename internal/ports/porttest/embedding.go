package porttest

import (
	"math"
	"math/rand/v2"

	"github.com/contextapi/contextapi/internal/domain"
)

// Family is a group of fixture incidents about the same kind of trouble. Their embeddings
// point roughly the same way, so similarity search has answers known in advance.
type Family int

// The embedding families of the fixture.
const (
	FamilyMemory   Family = iota // memory pressure: ids 1, 13, 21, 23
	FamilyCPU                    // CPU pressure: ids 11, 12 (same direction), 19
	FamilyWorkload               // pods and services down: ids 2, 5, 9, 10, 20
	FamilyNode                   // node trouble: ids 3, 14, 18
	FamilyDeploy                 // failed rollouts: ids 4, 17, 25
	FamilyCapacity               // limits reached: ids 6, 7
	FamilySecrets                // credentials and certificates: ids 8, 22
	FamilyStorage                // volumes: id 15
	familyCount
)

// The geometry of the fixture's embeddings. Every vector is built from orthonormal
// directions: one common direction c shared by all, one base direction b per family and
// one noise direction n per incident:
//
//	embedding(incident) = magnitude · (commonWeight·c + b_family + scale·n_incident)
//
// so similarities follow from the scales alone (w = commonWeight, w² = 0.25):
//
//	same family, scales a and b:    (1+w²) / √((1+w²+a²)(1+w²+b²))   > 0.93 for a, b ≤ 0.3
//	other families:                      w² / √((1+w²+a²)(1+w²+b²))   0.187–0.200
//	FamilyVector(f) to a member of f:    √((1+w²) / (1+w²+a²))
//	FamilyVector(f) to any other row:    w² / √((1+w²)(1+w²+a²))
//
// The common direction keeps cross-family similarity clearly positive (as real sentence
// embeddings are), so a threshold of 0 or 0.1 admits every embedded incident and none sits
// on the boundary. Magnitudes are powers of two, which scale float32 values exactly: a
// cosine implementation must ignore them, and a dot-product one fails.
const (
	commonWeight   = 0.5
	embeddingSeed1 = 0x636f6e74657874 // "context"
	embeddingSeed2 = 0x617069         // "api"
)

// embeddingSpec says how to build one incident's embedding.
type embeddingSpec struct {
	kind   embeddingKind
	family Family
	scale  float64 // weight of the incident's own noise direction
	noise  int     // which noise direction; incidents sharing one have the same direction
}

type embeddingKind int

const (
	embeddingNone embeddingKind = iota // NULL column
	embeddingZero                      // stored, but all zeros: no direction, never similar
	embeddingFamily
)

// basis holds the orthonormal directions the embeddings are made of.
type basis struct {
	common []float64
	family [familyCount][]float64
	noise  [][]float64
}

// maxNoise bounds the noise directions: one per fixture id.
const maxNoise = 32

// newBasis draws Gaussian vectors from a fixed PCG stream and orthonormalises them
// (modified Gram-Schmidt, twice for accuracy). The result depends only on the seed.
func newBasis() *basis {
	rng := rand.New(rand.NewPCG(embeddingSeed1, embeddingSeed2)) // #nosec G404 -- test fixtures must be reproducible from a seed, not secret
	vectors := make([][]float64, 0, 1+int(familyCount)+maxNoise)
	for range 1 + int(familyCount) + maxNoise {
		v := make([]float64, domain.EmbeddingDimensions)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		for range 2 {
			for _, u := range vectors {
				d := dot64(v, u)
				for i := range v {
					v[i] -= d * u[i]
				}
			}
		}
		n := math.Sqrt(dot64(v, v))
		for i := range v {
			v[i] /= n
		}
		vectors = append(vectors, v)
	}
	b := &basis{common: vectors[0], noise: vectors[1+familyCount:]}
	copy(b.family[:], vectors[1:1+familyCount])
	return b
}

// vector builds the float32 embedding of spec, scaled by magnitude (a power of two).
func (b *basis) vector(spec embeddingSpec, magnitude float32) []float32 {
	switch spec.kind {
	case embeddingNone:
		return nil
	case embeddingZero:
		return make([]float32, domain.EmbeddingDimensions)
	}
	base := b.family[spec.family]
	noise := b.noise[spec.noise]
	out := make([]float32, domain.EmbeddingDimensions)
	for i := range out {
		out[i] = float32(commonWeight*b.common[i]+base[i]+spec.scale*noise[i]) * magnitude
	}
	return out
}

// FamilyVector returns the noise-free direction of family f: a query vector whose
// similarity to every fixture incident is known (see the formulas above and the tables
// in fixture.go).
func FamilyVector(f Family) []float32 {
	if f < 0 || f >= familyCount {
		return nil
	}
	b := newBasis()
	return b.vector(embeddingSpec{kind: embeddingFamily, family: f, scale: 0, noise: 0}, 1)
}

func dot64(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
