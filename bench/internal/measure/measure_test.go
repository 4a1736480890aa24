package measure

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/contextapi/contextapi/bench/internal/load"
)

func TestRecallAt(t *testing.T) {
	assert.Equal(t, 1.0, recallAt(nil, nil), "nothing to find, nothing missed")
	assert.Equal(t, 0.5, recallAt([]int64{1, 2, 9, 8}, []int64{1, 2, 3, 4}))
	assert.Equal(t, 1.0, recallAt([]int64{4, 3, 2, 1}, []int64{1, 2, 3, 4}), "order does not matter")
}

func TestDiffJSON(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"key order", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, true},
		{"float rounding", `{"r":0.30000000000000004}`, `{"r":0.3}`, true},
		{"number", `{"total":10}`, `{"total":11}`, false},
		{"array order", `[1,2]`, `[2,1]`, false},
		{"null", `{"x":null}`, `{"x":0}`, false},
		{"missing key", `{"x":1}`, `{"x":1,"y":2}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.same, diffJSON([]byte(tt.a), []byte(tt.b)) == "")
		})
	}
}

func TestStatistics(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	sorted := ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	assert.Equal(t, 5.0, percentile(sorted, 50))
	assert.Equal(t, 10.0, percentile(sorted, 99))
	assert.Equal(t, 0.0, percentile(nil, 50))
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))

	// Ratios pair the phases of one round: a machine twice as busy in round 2 cancels out.
	phase := func(n int) Phase { return Phase{Result: load.Result{N: n, Elapsed: time.Second, Generator: load.Wrk}} }
	a := Series{phase(100), phase(50), phase(100)}
	b := Series{phase(200), phase(100), phase(200)}
	assert.Equal(t, 0.5, ratio(a, b))
}

func TestSummariseNamesTheGenerator(t *testing.T) {
	s := map[string]Series{
		"service": {{Result: load.Result{N: 90, Errors: 10, Elapsed: time.Second, Lat: []time.Duration{time.Millisecond}, Generator: load.Wrk}}},
	}
	ms, notes := summarise("cached list page", Saturation, 0, s)
	assert.Len(t, ms, 1)
	assert.Equal(t, "wrk", ms[0].Generator)
	assert.Equal(t, 90.0, ms[0].RPS)
	assert.Equal(t, []float64{90}, ms[0].Rounds)
	assert.Equal(t, []string{"cached list page, service: 10 of 100 requests failed"}, notes)
}

// Phases of fresh requests never repeat one, and say so when the list runs out.
func TestFreshRequestsNeverRepeat(t *testing.T) {
	reqs := make([]load.Request, 10)
	for i := range reqs {
		reqs[i] = load.Get("/r" + string(rune('0'+i)))
	}
	var sent []string
	_, phase := freshRequests(t.Context(), func(_ target, rest []load.Request) load.Result {
		for _, r := range rest[:min(3, len(rest))] {
			sent = append(sent, r.URI)
		}
		return load.Result{N: 2, Errors: 1}
	})
	tg := target{Name: "a", Reqs: reqs}
	for range 3 {
		_, err := phase(tg)
		assert.NoError(t, err)
	}
	assert.Equal(t, []string{"/r0", "/r1", "/r2", "/r3", "/r4", "/r5", "/r6", "/r7", "/r8"}, sent)
	_, err := phase(tg)
	assert.Error(t, err, "the list ran out")
}
