package synthetic

import "math"

// PCG stream selectors: each concern draws from its own generator, so changing how one
// is drawn does not reshuffle the others.
const (
	streamTimes      = 0x74696d6573 // "times"
	streamEvents     = 0x6576656e7473
	streamEmbeddings = 0x656d6264
	streamDays       = 0x64617973
	streamDirections = 0x64697273
)

// rule is an alert with its names resolved to indices and its weights made cumulative.
type rule struct {
	def      *alertDef
	family   int
	kinds    []int
	kindCum  []float64
	choices  []resolvedChoice
	severity [2]string
}

type resolvedChoice struct {
	action  int
	weight  float64
	success float64
}

// world holds the small fixed tables every event is drawn from.
type world struct {
	seed       uint64
	nsCum      []float64
	clusterCum []float64
	alertCum   []float64
	alerts     []rule
	objects    [numKinds]int // how many objects of each kind exist
}

// objectsPerRow sets how many distinct objects a set has: about one per 20 traces, at
// least minObjects, so most objects have a history worth asking about.
const (
	objectsPerRow = 20
	minObjects    = 400
)

func newWorld(rows int, seed uint64) *world {
	w := &world{seed: seed}
	nsWeights := make([]float64, len(namespaces))
	for i := range nsWeights {
		nsWeights[i] = 1 / float64(i+1) // Zipf, s = 1
	}
	w.nsCum = cumulative(nsWeights)
	cw := make([]float64, len(clusters))
	for i, c := range clusters {
		cw[i] = c.weight
	}
	w.clusterCum = cumulative(cw)

	var kindShare [numKinds]float64
	aw := make([]float64, len(alerts))
	var total float64
	for i := range alerts {
		total += alerts[i].weight
	}
	for i := range alerts {
		a := &alerts[i]
		aw[i] = a.weight
		r := rule{def: a, family: familyIndex(a.family), severity: a.severity}
		var kw []float64
		var ksum float64
		for _, t := range a.targets {
			ksum += t.weight
		}
		for _, t := range a.targets {
			r.kinds = append(r.kinds, t.kind)
			kw = append(kw, t.weight)
			kindShare[t.kind] += a.weight / total * t.weight / ksum
		}
		r.kindCum = cumulative(kw)
		for _, c := range a.choices {
			r.choices = append(r.choices, resolvedChoice{actionIndex(c.action), c.weight, c.success})
		}
		w.alerts = append(w.alerts, r)
	}
	w.alertCum = cumulative(aw)
	n := max(minObjects, rows/objectsPerRow)
	for k, s := range kindShare {
		if s > 0 {
			w.objects[k] = max(5, int(math.Round(s*float64(n))))
		}
	}
	return w
}

// familyIndex finds a family by name; the alert table names only known ones.
func familyIndex(name string) int {
	for i, f := range families {
		if f == name {
			return i
		}
	}
	panic("synthetic: unknown alert family " + name)
}

// objectSkew shapes how incidents spread over the objects of a kind: rank =
// ⌊n·u^objectSkew⌋, so the first 1% of objects draws about 16% of the incidents while
// the quietest still see about 40% of the mean.
var objectSkew = [numKinds]float64{2, 2, 2, 1.2, 1.8, 2, 2, 1.5, 2, 2}

// drawObject picks an object of kind k.
func (w *world) drawObject(k int, u float64) object {
	n := w.objects[k]
	rank := min(int(float64(n)*math.Pow(u, objectSkew[k])), n-1)
	return w.objectOf(k, rank)
}
