package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Markdown renders the report section of docs/performance.md: which run, how it loaded
// the contenders, every target's values against their bounds with the generator of each,
// the targets' notes, the raw figures and the notes of each size.
func Markdown(rep *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run: %s, %s mode, sizes %s, took %s, revision %s.  \nMachine: %s.  \nLoad: %s. The service runs in its %s.\n\n",
		rep.RunAt, rep.Run.Mode, strings.Join(rep.Run.Sizes, ", "), rep.Run.Duration, rep.Run.Revision, rep.Machine,
		rep.Run.Settings["generator"], rep.Run.Settings["service"])
	b.WriteString("| target | size | value | measured | bound | generator | met |\n|---|---|---|---|---|---|---|\n")
	ids := slices.Sorted(maps.Keys(rep.Targets))
	for _, id := range ids {
		tr := rep.Targets[id]
		if len(tr.checks) == 0 {
			fmt.Fprintf(&b, "| %s | | | | | | %s |\n", id, tr.Note)
			continue
		}
		for _, c := range tr.checks {
			met := "yes"
			if !c.OK {
				met = "**no**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s %s | %s | %s |\n", id, c.Size, c.Key, fmtValue(c.Value), c.Op, fmtValue(c.Bound), orDash(c.Generator), met)
		}
	}
	b.WriteString("\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "- **%s** %s: %s\n", id, rep.Targets[id].Target, rep.Targets[id].Note)
	}
	b.WriteString("\n<details><summary>Raw figures (median throughput over rounds; latency percentiles in ms)</summary>\n\n")
	b.WriteString("| size | workload | contender | mode | generator | req/s | p50 | p95 | p99 | errors |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, label := range rep.Run.Sizes {
		for _, m := range rep.Measurements[label] {
			rps := ""
			switch {
			case m.RPS > 0:
				rps = fmtValue(m.RPS)
			case m.Rate > 0:
				rps = "at " + fmtValue(m.Rate)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |\n", label, m.Workload, m.Contender, m.Mode,
				orDash(m.Generator), rps, fmtValue(m.P50), fmtValue(m.P95), fmtValue(m.P99), m.Errors, m.Requests)
		}
	}
	b.WriteString("\n</details>\n")
	for _, k := range slices.Sorted(maps.Keys(rep.Notes)) {
		for _, n := range rep.Notes[k] {
			fmt.Fprintf(&b, "\nNote (%s): %s", k, n)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// orDash shows a value with no generator (a property of the answers) as a dash.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
