package synthetic

import (
	"math"
	"math/rand/v2"

	"github.com/contextapi/contextapi/internal/dataset/vec"
	"github.com/contextapi/contextapi/internal/domain"
)

// An incident's embedding stands in for what a sentence model makes of the incident's
// text. It is the normalised sum of
//
//	common·C + family·F[family] + s·A[alert] + b·A[other] + object·O[object] + action·X[action] + noise
//
// where C is shared by every incident (it is all Kubernetes remediation), F is one
// direction per alert family, A one per alert, O one per object, X one per action type,
// and the noise Gaussian. The centroid of an alert is thus common·C + family·F + E[s]·A:
// alerts of one family share most of it (centroid cosine ≈0.8), other families only C.
//
// Three things vary per incident, and they make the clusters overlap instead of
// separating trivially: s, how alert-specific the text is (a vague incident sits between
// its family's alerts); for 40% of incidents a blend b towards another alert (of the same
// family four times in five: an OOM that reads like a crash loop); and the noise strength.
// With these weights the cosine similarity of two incidents is about
//
//	same alert and object:           mean ≈0.85
//	same alert:                      mean ≈0.79 (0.45–0.95)
//	same family, other alert:        mean ≈0.67 (0.3–0.95)
//	other families:                  mean ≈0.14 (−0.05–0.5)
//
// and an incident's nearest neighbour has its alert about 88% of the time, another
// alert of its family otherwise (TestEmbeddingClusters keeps these true).
const (
	weightCommon = 0.40
	weightFamily = 0.75
	weightAlert  = 0.75 // times s ∈ [specificMin, 1)
	specificMin  = 0.12
	weightObject = 0.25
	weightAction = 0.15
	noiseMin     = 0.12 // noise norm, drawn from [noiseMin, noiseMax)
	noiseMax     = 0.32
	blendShare   = 0.40 // incidents blended towards another alert
	blendMin     = 0.3  // blend b = weightAlert × [blendMin, blendMax)
	blendMax     = 1.0
	blendOther   = 0.2 // share of blends towards an alert of another family
)

const dims = domain.EmbeddingDimensions

// space holds the fixed directions, computed once per Set (a few hundred KB).
type space struct {
	base   [][]float32 // per alert: common·C + family·F[family], the shared part of its centroid
	alert  [][]float32 // per alert: A
	action [][]float32 // per action type: X, pre-scaled by weightAction
	family [][]int     // per alert: the other alerts of its family
}

// newSpace draws the directions from the seed. Family directions are made orthogonal to
// C and to each other (Gram–Schmidt), so "other family" similarity comes from C alone.
func newSpace(seed uint64, w *world) *space {
	r := rand.New(rand.NewPCG(seed, streamDirections))
	common := gaussianUnit(r)
	basis := [][]float64{common}
	fam := make([][]float64, len(families))
	for f := range fam {
		v := gaussianUnit(r)
		for _, b := range basis {
			vec.AddScaled(v, b, -vec.Dot(v, b))
		}
		vec.Normalize(v)
		basis = append(basis, v)
		fam[f] = v
	}
	s := &space{}
	for _, a := range w.alerts {
		b := make([]float32, dims)
		for i := range b {
			b[i] = float32(weightCommon*common[i] + weightFamily*fam[a.family][i])
		}
		s.base = append(s.base, b)
		s.alert = append(s.alert, toFloat32(gaussianUnit(r), 1))
	}
	for i, a := range w.alerts {
		var sib []int
		for j, b := range w.alerts {
			if j != i && b.family == a.family {
				sib = append(sib, j)
			}
		}
		s.family = append(s.family, sib)
	}
	for range actions {
		s.action = append(s.action, toFloat32(gaussianUnit(r), weightAction))
	}
	return s
}

// embed writes the unit embedding of an incident of alert remediated by action on the
// object with the given id into out. It costs dims Gaussian draws and one pass: the
// object's direction is a ±1/√dims sign vector taken from its id's bits (a random unit
// vector as good as a Gaussian one in 384 dimensions, and free to compute on the fly).
func (s *space) embed(r *rand.Rand, alert, action int, objectID uint64, out []float32) {
	spec := float32(weightAlert * (specificMin + (1-specificMin)*r.Float64()))
	sigma := (noiseMin + (noiseMax-noiseMin)*r.Float64()) / math.Sqrt(dims)
	obj := float32(weightObject / math.Sqrt(dims))
	base, dir, act := s.base[alert], s.alert[alert], s.action[action]
	var blend float32
	other := dir
	if r.Float64() < blendShare {
		blend = float32(weightAlert * (blendMin + (blendMax-blendMin)*r.Float64()))
		if sib := s.family[alert]; len(sib) > 0 && r.Float64() >= blendOther {
			other = s.alert[sib[r.IntN(len(sib))]]
		} else {
			other = s.alert[r.IntN(len(s.alert))]
		}
	}
	var sum float64
	for w := 0; w < dims/64; w++ {
		bits := mix(objectID + uint64(w))
		for j := range 64 {
			i := w*64 + j
			o := obj
			if bits>>j&1 == 0 {
				o = -obj
			}
			v := base[i] + spec*dir[i] + blend*other[i] + act[i] + o + float32(sigma*r.NormFloat64())
			out[i] = v
			sum += float64(v) * float64(v)
		}
	}
	k := float32(1 / math.Sqrt(sum))
	for i := range out {
		out[i] *= k
	}
}

// gaussianUnit is a random unit vector.
func gaussianUnit(r *rand.Rand) []float64 {
	v := make([]float64, dims)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	vec.Normalize(v)
	return v
}

func toFloat32(v []float64, k float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(k * x)
	}
	return out
}
