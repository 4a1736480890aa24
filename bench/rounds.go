package main

import (
	"context"
	"math"
	"slices"
	"time"
)

// series is one contender's phases over the rounds of a measurement.
type series []phase

// rounds runs measure for every target, round after round; each round starts with the
// next target (A B C, B C A, C A B, …) so drift and ordering effects hit all alike. A
// warm-up of each target (when warm is not nil) comes first and is discarded.
func rounds(ctx context.Context, cfg config, targets []target, warm func(target), measure func(target) phase) map[string]series {
	out := map[string]series{}
	if warm != nil {
		for _, t := range targets {
			warm(t)
		}
	}
	for r := 0; r < cfg.Rounds && ctx.Err() == nil; r++ {
		for i := range targets {
			t := targets[(r+i)%len(targets)]
			var before map[string]opStats
			if t.Metrics != "" {
				before, _ = scrapeDB(ctx, t.Metrics)
			}
			p := measure(t)
			if t.Metrics != "" {
				after, err := scrapeDB(ctx, t.Metrics)
				if err == nil && before != nil {
					p.DB = deltas(before, after)
				}
			}
			out[t.Name] = append(out[t.Name], p)
		}
	}
	return out
}

// medianRPS is a contender's median throughput over the rounds.
func (s series) medianRPS() float64 {
	xs := make([]float64, len(s))
	for i, p := range s {
		xs[i] = p.RPS()
	}
	return median(xs)
}

// latencies merges every round's samples, sorted.
func (s series) latencies() []time.Duration {
	var all []time.Duration
	for _, p := range s {
		all = append(all, p.Lat...)
	}
	slices.Sort(all)
	return all
}

// errors counts the failed requests and all requests sent.
func (s series) errors() (errs, n int) {
	for _, p := range s {
		errs += p.Errors
		n += p.N + p.Errors
	}
	return errs, n
}

// ratio is the median over rounds of a's throughput over b's, pairing the phases of
// one round (which ran seconds apart); NaN (not measured) when no round has both.
func ratio(a, b series) float64 {
	var xs []float64
	for i := range min(len(a), len(b)) {
		if a[i].RPS() > 0 && b[i].RPS() > 0 {
			xs = append(xs, a[i].RPS()/b[i].RPS())
		}
	}
	if len(xs) == 0 {
		return math.NaN()
	}
	return median(xs)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile of sorted samples, in milliseconds (nearest rank).
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i]) / float64(time.Millisecond)
}
