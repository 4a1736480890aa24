// Package report evaluates a run against the targets P1–P9 (docs/targets.md) and writes
// it: docs/performance.json and the Markdown report section of docs/performance.md.
package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/contextapi/contextapi/bench/internal/config"
	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/measure"
)

// Run is one bench run.
type Run struct {
	Started   time.Time
	Elapsed   time.Duration
	Mode      string
	Sizes     []string
	BySize    map[string]*measure.SizeResult
	Machine   string
	Drift     []string
	Growth    *measure.GrowthResult // P9, when two sizes were measured
	Generator string                // the saturation phases' load generator: wrk or go
}

// Report is docs/performance.json.
type Report struct {
	Machine      string                           `json:"machine"`
	RunAt        string                           `json:"run_at"`
	Run          RunInfo                          `json:"run"`
	Targets      map[string]*Target               `json:"targets"`
	Measurements map[string][]measure.Measurement `json:"measurements"`
	Notes        map[string][]string              `json:"notes,omitempty"`
}

// RunInfo says which run the report is.
type RunInfo struct {
	Mode         string            `json:"mode"`
	Sizes        []string          `json:"sizes"`
	Duration     string            `json:"duration"`
	Revision     string            `json:"revision"`
	Settings     map[string]string `json:"settings"`
	DataAsOf     map[string]string `json:"data_as_of"`
	Disagreement map[string]int    `json:"disagreements"`
}

// serviceConfiguration is how the bench runs the service (contenders.Binary.Serve).
const serviceConfiguration = "production configuration: JSON request logs to a file, metrics and request ids on (only --drain-delay 0s differs)"

// loadDescription says which generator produced which figures.
func loadDescription(saturation string, conns int) string {
	sat := fmt.Sprintf("wrk -t1 -c%d", conns)
	if saturation == load.Go {
		sat = fmt.Sprintf("the bench's Go net/http client, %d connections", conns)
	}
	return "saturation: " + sat + "; fixed rate, one connection and bursts: the bench's Go net/http client"
}

// Build makes the report of a run.
func Build(cfg config.Config, run *Run) *Report {
	rep := &Report{
		Machine:      run.Machine,
		RunAt:        run.Started.Format(time.RFC3339),
		Targets:      Evaluate(cfg.Quick, run),
		Measurements: map[string][]measure.Measurement{},
		Notes:        map[string][]string{},
		Run: RunInfo{
			Mode: run.Mode, Duration: run.Elapsed.Round(time.Second).String(),
			Revision: cfg.Revision, DataAsOf: map[string]string{}, Disagreement: map[string]int{},
			Settings: map[string]string{
				"conns": fmt.Sprint(cfg.Conns), "duration": cfg.Duration.String(), "rounds": fmt.Sprint(cfg.Rounds),
				"open_duration": cfg.OpenDuration.String(), "open_fraction": fmt.Sprint(cfg.OpenFraction),
				"ef_search": map[bool]string{true: fmt.Sprint(cfg.EfSearch), false: "by table size (100 up to 500k, 200 above)"}[cfg.EfSearch > 0], "iterative_scan": cfg.IterativeScan,
				"transport": cmp.Or(map[bool]string{true: "unix socket " + cfg.Socket}[cfg.Socket != ""], "tcp loopback"),
				"generator": loadDescription(run.Generator, cfg.Conns),
				"service":   serviceConfiguration,
			},
		},
	}
	if len(run.Drift) > 0 {
		rep.Notes["sql"] = run.Drift
	}
	labels := slices.Clone(run.Sizes)
	if g := run.Growth; g != nil {
		labels = append(labels, g.Label)
		rep.Measurements[g.Label] = sortedMeasurements(g.Measurements)
		if len(g.Notes) > 0 {
			rep.Notes[g.Label] = g.Notes
		}
	}
	rep.Run.Sizes = labels
	for _, label := range run.Sizes {
		res := run.BySize[label]
		rep.Measurements[label] = sortedMeasurements(res.Measurements)
		rep.Run.DataAsOf[label] = res.AsOf.UTC().Format(time.RFC3339)
		rep.Run.Disagreement[label] = len(res.Disagreements)
		notes := slices.Concat(res.Disagreements, res.Notes)
		for _, k := range slices.Sorted(maps.Keys(res.Values)) {
			if strings.HasPrefix(k, "info.") {
				notes = append(notes, fmt.Sprintf("%s = %s", k, fmtValue(res.Values[k])))
			}
		}
		if len(notes) > 0 {
			rep.Notes[label] = notes
		}
	}
	return rep
}

// sortedMeasurements orders figures by workload, mode and contender, rounded.
func sortedMeasurements(in []measure.Measurement) []measure.Measurement {
	ms := slices.Clone(in)
	slices.SortStableFunc(ms, func(a, b measure.Measurement) int {
		return cmp.Or(cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Mode, b.Mode), cmp.Compare(a.Contender, b.Contender))
	})
	for i := range ms {
		ms[i].P50, ms[i].P95, ms[i].P99, ms[i].RPS, ms[i].Rate = round(ms[i].P50), round(ms[i].P95), round(ms[i].P99), round(ms[i].RPS), round(ms[i].Rate)
		ms[i].Rounds = slices.Clone(ms[i].Rounds)
		for j := range ms[i].Rounds {
			ms[i].Rounds[j] = round(ms[i].Rounds[j])
		}
	}
	return ms
}
