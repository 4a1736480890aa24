// Package vec holds the few vector operations the data-set generators share.
package vec

import "math"

// Dot is the dot product of a and b (of equal length).
func Dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// AddScaled adds k·x to y in place.
func AddScaled(y, x []float64, k float64) {
	for i := range y {
		y[i] += k * x[i]
	}
}

// Normalize scales v to unit length in place.
func Normalize(v []float64) {
	n := math.Sqrt(Dot(v, v))
	for i := range v {
		v[i] /= n
	}
}
