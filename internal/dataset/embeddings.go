package dataset

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/contextapi/contextapi/internal/dataset/vec"
	"github.com/contextapi/contextapi/internal/domain"
)

// An incident's embedding is the normalised sum of fixed directions, standing in for what
// a sentence model makes of the incident's text: a direction every incident shares (it is
// all Kubernetes remediation), one per alert family, one per alert, one per action type,
// one per object, and per-incident noise of varying strength. The action direction is
// faint: an incident's text is mostly about the problem, so the nearest incidents to a
// failed attempt include ones that other actions fixed. With these weights the cosine
// similarity of two incidents is about
//
//	same alert:                                        0.78–0.98, mean ≈0.90
//	same family, other alert (HighMemoryUsage, OOMKilled): 0.62–0.82, mean ≈0.73
//	other families:                                    −0.04–0.24, mean ≈0.11
//
// Family directions are orthogonal to each other and to the shared one; the others are
// random, hence nearly orthogonal in 384 dimensions.
const (
	weightCommon = 0.35
	weightFamily = 0.78
	weightAlert  = 0.40
	weightAction = 0.08
	weightObject = 0.15

	noiseMin = 0.15 // per-incident noise strength, drawn from [noiseMin, noiseMax)
	noiseMax = 0.45
	// noiseStory is the noise of hand-written story incidents: textbook cases, so they
	// rank high among their alert's neighbours.
	noiseStory = 0.10
)

// embedder makes incident embeddings from named directions. Directions depend only on
// their name, so adding an alert or an object never changes the others.
type embedder struct {
	common   []float64
	families map[string][]float64
	named    map[string][]float64
}

func newEmbedder() *embedder {
	e := &embedder{
		common:   direction("common"),
		families: make(map[string][]float64, len(families)),
		named:    make(map[string][]float64),
	}
	basis := [][]float64{e.common}
	for _, f := range families { // Gram–Schmidt in the fixed order of families
		v := direction("family:" + f)
		for _, b := range basis {
			vec.AddScaled(v, b, -vec.Dot(v, b))
		}
		vec.Normalize(v)
		basis = append(basis, v)
		e.families[f] = v
	}
	return e
}

// dir returns the direction called name, made once.
func (e *embedder) dir(name string) []float64 {
	if v, ok := e.named[name]; ok {
		return v
	}
	v := direction(name)
	e.named[name] = v
	return v
}

// embed returns the unit embedding of an incident of alert a remediated by action on o,
// with noise of the given strength drawn from r.
func (e *embedder) embed(r *rand.Rand, a *alertDef, action string, o object, noise float64) []float32 {
	v := make([]float64, domain.EmbeddingDimensions)
	vec.AddScaled(v, e.common, weightCommon)
	vec.AddScaled(v, e.families[a.family], weightFamily)
	vec.AddScaled(v, e.dir("alert:"+a.name), weightAlert)
	vec.AddScaled(v, e.dir("action:"+action), weightAction)
	vec.AddScaled(v, e.dir("object:"+o.key()), weightObject)
	scale := noise / math.Sqrt(domain.EmbeddingDimensions)
	for i := range v {
		v[i] += scale * r.NormFloat64()
	}
	vec.Normalize(v)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// direction is a pseudo-random unit vector determined by name alone.
func direction(name string) []float64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name)) // never fails
	seed := h.Sum64()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	v := make([]float64, domain.EmbeddingDimensions)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	vec.Normalize(v)
	return v
}
