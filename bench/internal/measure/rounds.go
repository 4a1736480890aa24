package measure

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/contextapi/contextapi/bench/internal/load"
)

// target is one contender serving one workload.
type target struct {
	Name    string
	Base    string // http://host:port
	Reqs    []load.Request
	Metrics string // the service's /metrics URL: phases then record statement deltas
}

// Phase is what one contender did in one round: its load result and, for a target with
// Metrics, the statements the service ran meanwhile, by op.
type Phase struct {
	load.Result
	DB map[string]opStats
}

// Series is one contender's phases over the rounds of a measurement.
type Series []Phase

// rounds runs each target n times, round after round; each round starts with the next
// target (A B C, B C A, C A B, …) so drift and ordering effects hit all alike. A warm-up
// of each target (when warm is not nil) comes first and is discarded.
func rounds(ctx context.Context, n int, targets []target, warm func(target) error, run func(target) (load.Result, error)) (map[string]Series, error) {
	out := map[string]Series{}
	if warm != nil {
		for _, t := range targets {
			if err := warm(t); err != nil {
				return nil, err
			}
		}
	}
	for r := 0; r < n && ctx.Err() == nil; r++ {
		for i := range targets {
			t := targets[(r+i)%len(targets)]
			var before map[string]opStats
			if t.Metrics != "" {
				before, _ = scrapeDB(ctx, t.Metrics)
			}
			res, err := run(t)
			if err != nil {
				return nil, err
			}
			p := Phase{Result: res}
			if t.Metrics != "" {
				after, err := scrapeDB(ctx, t.Metrics)
				if err == nil && before != nil {
					p.DB = deltas(before, after)
				}
			}
			out[t.Name] = append(out[t.Name], p)
		}
	}
	return out, nil
}

// medianRPS is a contender's median throughput over the rounds.
func (s Series) medianRPS() float64 {
	xs := make([]float64, len(s))
	for i, p := range s {
		xs[i] = p.RPS()
	}
	return median(xs)
}

// latencies merges every round's samples, sorted.
func (s Series) latencies() []time.Duration {
	var all []time.Duration
	for _, p := range s {
		all = append(all, p.Lat...)
	}
	slices.Sort(all)
	return all
}

// errors counts the failed requests and all requests sent.
func (s Series) errors() (errs, n int) {
	for _, p := range s {
		errs += p.Errors
		n += p.N + p.Errors
	}
	return errs, n
}

// generator is the load generator of the series' phases.
func (s Series) generator() string {
	for _, p := range s {
		if p.Generator != "" {
			return p.Generator
		}
	}
	return ""
}

// ratio is the median over rounds of a's throughput over b's, pairing the phases of
// one round (which ran seconds apart); NaN (not measured) when no round has both.
func ratio(a, b Series) float64 {
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

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
