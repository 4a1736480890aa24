package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/bench/internal/config"
	"github.com/contextapi/contextapi/bench/internal/measure"
)

// runOf is a run of one size with the given target inputs, saturated by wrk.
func runOf(label string, values map[string]float64) *Run {
	return &Run{Sizes: []string{label}, Generator: "wrk",
		BySize: map[string]*measure.SizeResult{label: {Label: label, Values: values}}}
}

// passing are inputs meeting every bound at every size.
func passing() map[string]float64 {
	return map[string]float64{
		"p1.list": 0.85, "p1.get": 0.9,
		"p2.rps_vs_b1": 0.9, "p2.rps_vs_b2": 1, "p2.p50_vs_b1": 1.15,
		"p3.unfiltered": 1.2, "p3.namespace": 0.7,
		"p4.unfiltered": 1.5, "p4.environment=production": 1,
		"p5.recall": 0.95, "p5.overhead": 1.2, "p5.db_p95_ms": 5, "p5.vs_ex": 20,
		"p6.rows_ok": 1, "p6.recall": 0.95,
		"p7.cached": 0.8, "p7.success-rate_p95_ms": 50, "p7.namespaces_p95_ms": 49, "p7.severity_p95_ms": 1, "p7.trend_p95_ms": 2,
		"p8.list": 1, "p8.aggregation": 1, "p8.search": 1,
	}
}

func TestTargetsAtTheirBoundsAreMet(t *testing.T) {
	for _, label := range []string{"10k", "100k", "1M"} {
		got := Evaluate(false, runOf(label, passing()))
		for _, id := range []string{"P1", "P3", "P5", "P6", "P8"} {
			assert.True(t, got[id].Met, "%s at %s: %s", id, label, got[id].Note)
		}
	}
	got := Evaluate(false, runOf("1M", passing()))
	for _, id := range []string{"P2", "P4", "P7"} {
		assert.True(t, got[id].Met, "%s at 1M: %s", id, got[id].Note)
	}
}

func TestEachTargetFailsPastItsBound(t *testing.T) {
	tests := []struct {
		target, size, input string
		value               float64
		note                string
	}{
		{"P1", "10k", "p1.list", 0.849, "not met: 10k list 0.849 (bound >= 0.85)"},
		{"P1", "1M", "p1.get", 0.5, "not met: 1M get 0.5 (bound >= 0.85)"},
		{"P2", "1M", "p2.rps_vs_b1", 0.89, "not met: 1M rps_vs_B1 0.89 (bound >= 0.9)"},
		{"P2", "1M", "p2.rps_vs_b2", 0.99, "not met: 1M rps_vs_B2 0.99 (bound >= 1)"},
		{"P2", "1M", "p2.p50_vs_b1", 1.16, "not met: 1M p50_vs_B1 1.16 (bound <= 1.15)"},
		{"P3", "10k", "p3.namespace", 1.21, "not met: 10k namespace 1.21 (bound <= 1.2)"},
		{"P4", "100k", "p4.unfiltered", 1.51, "not met: 100k unfiltered 1.51 (bound <= 1.5)"},
		{"P5", "10k", "p5.recall", 0.94, "not met: 10k recall_at_10 0.94 (bound >= 0.95)"},
		{"P5", "10k", "p5.overhead", 1.3, "not met: 10k overhead_vs_sql 1.3 (bound <= 1.2)"},
		{"P5", "100k", "p5.db_p95_ms", 5.01, "not met: 100k db_p95_ms 5.01 (bound <= 5)"},
		{"P5", "100k", "p5.vs_ex", 19.5, "not met: 100k speedup_vs_EX 19.5 (bound >= 20)"},
		{"P5", "1M", "p5.db_p95_ms", 15.1, "not met: 1M db_p95_ms 15.1 (bound <= 15)"},
		{"P6", "10k", "p6.rows_ok", 0.95, "not met: 10k rows_ok 0.95 (bound >= 1)"},
		{"P6", "1M", "p6.recall", 0.9, "not met: 1M recall_at_10 0.9 (bound >= 0.95)"},
		{"P7", "1M", "p7.cached", 0.79, "not met: 1M cached_vs_B0 0.79 (bound >= 0.8)"},
		{"P7", "1M", "p7.namespaces_p95_ms", 94, "not met: 1M namespaces_p95_ms 94 (bound <= 50)"},
		{"P8", "10k", "p8.search", 2, "not met: 10k search 2 (bound <= 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.size+" "+tt.input, func(t *testing.T) {
			values := passing()
			values[tt.input] = tt.value
			got := Evaluate(false, runOf(tt.size, values))[tt.target]
			assert.False(t, got.Met)
			assert.Contains(t, got.Note, tt.note)
			if why := limits[tt.target]; why != "" {
				assert.Contains(t, got.Note, why, "a missed target says what limits it")
			}
		})
	}
}

func TestTargetsApplyAtTheirSizes(t *testing.T) {
	values := passing()
	values["p2.rps_vs_b1"] = 0.1 // P2 applies at 1M only
	values["p4.unfiltered"] = 9  // P4 from 100k
	values["p5.db_p95_ms"] = 99  // P5's speed bounds at 100k and 1M
	values["p7.cached"] = 0.1    // P7 at 1M
	got := Evaluate(false, runOf("10k", values))
	assert.False(t, got["P2"].Met)
	assert.Equal(t, "not measured at the sizes it applies to", got["P2"].Note)
	assert.Empty(t, got["P4"].Values)
	assert.True(t, got["P5"].Met, got["P5"].Note)
	assert.Empty(t, got["P7"].Values)

	// -quick applies the bounds of P2 and P7 at 1M and of P4 at 100k to its 10k figures.
	got = Evaluate(true, runOf("10k", values))
	assert.Contains(t, got["P2"].Note, "not met: 10k rps_vs_B1 0.1 (bound >= 0.9)")
	assert.Contains(t, got["P4"].Note, "not met: 10k unfiltered 9 (bound <= 1.5)")
	assert.Contains(t, got["P7"].Note, "not met: 10k cached_vs_B0 0.1 (bound >= 0.8)")
}

func TestAMissingValueIsNotMet(t *testing.T) {
	values := passing()
	delete(values, "p1.get")
	got := Evaluate(false, runOf("10k", values))["P1"]
	assert.False(t, got.Met)
	assert.Contains(t, got.Note, "10k get not measured")
}

func TestGeneratorOfEachValue(t *testing.T) {
	got := Evaluate(false, runOf("1M", passing()))
	assert.Equal(t, map[string]string{"list": "wrk", "get": "wrk"}, got["P1"].Generator)
	assert.Equal(t, map[string]string{"rps_vs_B1": "wrk", "rps_vs_B2": "wrk", "p50_vs_B1": "go"}, got["P2"].Generator)
	assert.Equal(t, "go", got["P5"].Generator["db_p95_ms"])
	assert.NotContains(t, got["P5"].Generator, "recall_at_10", "recall is a property of the answers")
	assert.Nil(t, got["P6"].Generator)
	assert.Equal(t, "wrk", got["P7"].Generator["cached_vs_B0"])
	assert.Equal(t, "go", got["P7"].Generator["trend_p95_ms"])

	run := runOf("10k", passing())
	run.Generator = "go"
	assert.Equal(t, "go", Evaluate(false, run)["P1"].Generator["list"], "-generator go says so")
}

func TestP9(t *testing.T) {
	run := runOf("10k", passing())
	got := Evaluate(false, run)["P9"]
	assert.False(t, got.Met)
	assert.Equal(t, "not measured: needs two sizes (10k and 1M) timed without disagreement", got.Note)

	run.Growth = &measure.GrowthResult{Label: "10k->1M", Values: map[string]float64{"get": 1.5, "cursor": 1.2, "search": 5}}
	got = Evaluate(false, run)["P9"]
	assert.True(t, got.Met, got.Note)
	assert.Equal(t, "wrk", got.Generator["search"])

	run.Growth = &measure.GrowthResult{Label: "10k->100k", Values: map[string]float64{"get": 1.6, "cursor": 1.2}}
	got = Evaluate(false, run)["P9"]
	assert.False(t, got.Met)
	assert.Equal(t, "growth measured over 10k->100k, not 10k->1M; not met: 10k->100k get 1.6 (bound <= 1.5); 10k->100k search not measured", got.Note)
}

func TestQuickMargins(t *testing.T) {
	tests := []struct {
		name, input string
		value       float64
		fails       string
	}{
		{"a throughput ratio at a tenth of its bound passes", "p1.list", 0.085, ""},
		{"below a tenth fails", "p1.list", 0.084, "P1 10k list = 0.084 (bound >= 0.85)"},
		{"a latency at ten times its bound passes", "p7.trend_p95_ms", 500, ""},
		{"above ten times fails", "p7.trend_p95_ms", 501, "P7 10k trend_p95_ms = 501 (bound <= 50)"},
		{"a cost ratio at ten times passes", "p3.unfiltered", 12, ""},
		{"rows_ok holds exactly", "p6.rows_ok", 0.99, "P6 10k rows_ok = 0.99 (bound >= 1)"},
		{"a value not measured fails", "p8.list", math.NaN(), "P8 10k list = n/a (bound <= 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := passing()
			values[tt.input] = tt.value
			if math.IsNaN(tt.value) {
				delete(values, tt.input)
			}
			rep := Build(quickConfig(), runOf("10k", values))
			got := QuickFailures(rep)
			if tt.fails == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, tt.fails, got[0])
		})
	}
}

func quickConfig() config.Config {
	c := fixedConfig()
	c.Quick = true
	return c
}

// TestReportBuildDoesNotAlterTheRun keeps the run's figures as measured: -quick builds
// a report once to decide on a second measurement, then again to print.
func TestReportBuildDoesNotAlterTheRun(t *testing.T) {
	run := fixedRun()
	before := run.BySize["10k"].Measurements[0].Rounds[0]
	Build(fixedConfig(), run)
	assert.Equal(t, before, run.BySize["10k"].Measurements[0].Rounds[0])
}
