// Command reliability turns the results the reliability suite appended (one JSON line
// per target test, internal/testkit/reliability) into docs/reliability.json and
// docs/reliability.md, and exits 1 unless every target R1–R15 has a test that passed.
// scripts/reliability.sh runs the suite and then this.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
}

type options struct {
	results, targets, out     string
	commit, postgres, command string
}

func run(args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("reliability", flag.ContinueOnError)
	fs.StringVar(&o.results, "results", "", "the JSON-lines file the suite appended to")
	fs.StringVar(&o.targets, "targets", "docs/targets.md", "the document whose table names R1–R15")
	fs.StringVar(&o.out, "out", "docs", "the directory the report goes to, as reliability.json and reliability.md")
	fs.StringVar(&o.commit, "commit", "", "the revision tested")
	fs.StringVar(&o.postgres, "postgres", "", "the PostgreSQL server's version string")
	fs.StringVar(&o.command, "command", "scripts/reliability.sh", "the command that produced the results")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.results == "" {
		return errors.New("-results is required")
	}
	results, err := readResults(o.results)
	if err != nil {
		return err
	}
	targets, err := readTargets(o.targets)
	if err != nil {
		return err
	}
	rep := build(targets, results, o)
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	jsonPath, markdownPath := filepath.Join(o.out, "reliability.json"), filepath.Join(o.out, "reliability.md")
	if err := os.WriteFile(jsonPath, append(data, '\n'), 0o644); err != nil { // #nosec G306 -- a document of the repository
		return err
	}
	if err := os.WriteFile(markdownPath, markdown(rep), 0o644); err != nil { // #nosec G306 -- a document of the repository
		return err
	}
	fmt.Fprintf(stdout, "%d of %d targets met (%s mode); report in %s and %s\n", rep.Met, len(rep.Targets), rep.Mode, markdownPath, jsonPath)
	if rep.Met != len(rep.Targets) {
		return fmt.Errorf("%d targets not met", len(rep.Targets)-rep.Met)
	}
	return nil
}

// target is one row of docs/targets.md's reliability table.
type target struct {
	ID       string `json:"id"`
	Scenario string `json:"scenario"`
	Bound    string `json:"bound"`
}

// Report is the content of docs/reliability.json.
type Report struct {
	Generated time.Time         `json:"generated"`
	Mode      string            `json:"mode"`
	Command   string            `json:"command"`
	Commit    string            `json:"commit,omitempty"`
	Machine   machine           `json:"machine"`
	Met       int               `json:"met"`
	Targets   []targetOutcome   `json:"targets"`
	Results   []reliabilityLine `json:"-"`
}

type machine struct {
	CPUs     int    `json:"cpus"`
	CPU      string `json:"cpu,omitempty"`
	Memory   string `json:"memory,omitempty"`
	OS       string `json:"os"`
	Go       string `json:"go"`
	Postgres string `json:"postgres,omitempty"`
}

// targetOutcome is a target with the results of the tests that hold it: met when there
// is at least one and every one passed.
type targetOutcome struct {
	target
	Met     bool              `json:"met"`
	Results []reliabilityLine `json:"results"`
}

type reliabilityLine = reliability.Result

func readResults(path string) ([]reliabilityLine, error) {
	f, err := os.Open(path) // #nosec G304 -- the file the caller names
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []reliabilityLine
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; lines.Scan(); n++ {
		var r reliabilityLine
		if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, r)
	}
	return out, lines.Err()
}

var targetRow = regexp.MustCompile(`^\| (R\d+) \| (.+?) \| (.+?) \|$`)

func readTargets(path string) ([]target, error) {
	data, err := os.ReadFile(path) // #nosec G304 -- the file the caller names
	if err != nil {
		return nil, err
	}
	var out []target
	for line := range strings.Lines(string(data)) {
		if m := targetRow.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			out = append(out, target{ID: m[1], Scenario: m[2], Bound: m[3]})
		}
	}
	if len(out) != 15 {
		return nil, fmt.Errorf("%s: found %d reliability targets, want R1–R15", path, len(out))
	}
	return out, nil
}

func build(targets []target, results []reliabilityLine, o options) Report {
	rep := Report{Generated: time.Now().UTC().Truncate(time.Second), Command: o.command, Commit: o.commit,
		Machine: describeMachine(o.postgres), Mode: "short"}
	for _, r := range results {
		if r.Mode == "long" {
			rep.Mode = "long"
		}
	}
	for _, t := range targets {
		outcome := targetOutcome{target: t}
		for _, r := range results {
			if r.ID == t.ID {
				outcome.Results = append(outcome.Results, r)
			}
		}
		slices.SortFunc(outcome.Results, func(a, b reliabilityLine) int { return strings.Compare(a.Test, b.Test) })
		outcome.Met = len(outcome.Results) > 0 && !slices.ContainsFunc(outcome.Results, func(r reliabilityLine) bool {
			return r.Outcome != "pass"
		})
		if outcome.Met {
			rep.Met++
		}
		rep.Targets = append(rep.Targets, outcome)
	}
	return rep
}

func describeMachine(postgres string) machine {
	m := machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Postgres: postgres}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimLeft(name, "\t :"))
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		fields := strings.Fields(strings.SplitN(string(data), "\n", 2)[0]) // MemTotal: N kB
		if len(fields) >= 2 {
			if kb, err := strconv.ParseFloat(fields[1], 64); err == nil {
				m.Memory = fmt.Sprintf("%.1f GiB", kb/(1<<20))
			}
		}
	}
	return m
}

func markdown(rep Report) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Reliability report\n\n")
	fmt.Fprintf(&b, "Generated by `%s` (%s mode) on %s", rep.Command, rep.Mode, rep.Generated.Format(time.RFC3339))
	if rep.Commit != "" {
		fmt.Fprintf(&b, " from commit `%s`", rep.Commit)
	}
	fmt.Fprintf(&b, ". **%d of %d targets met.** The targets are those of [targets.md](targets.md) §4;\n", rep.Met, len(rep.Targets))
	b.WriteString("how the suite works and how to run it is in [operations.md](operations.md) (\"The reliability suite\").\n")
	b.WriteString("The same figures, per test, are in `reliability.json`.\n\n")
	b.WriteString("## Machine\n\n")
	fmt.Fprintf(&b, "- %d CPUs", rep.Machine.CPUs)
	if rep.Machine.CPU != "" {
		fmt.Fprintf(&b, " (%s)", rep.Machine.CPU)
	}
	b.WriteString("\n")
	if rep.Machine.Memory != "" {
		fmt.Fprintf(&b, "- memory %s\n", rep.Machine.Memory)
	}
	fmt.Fprintf(&b, "- %s, %s\n", rep.Machine.OS, rep.Machine.Go)
	if rep.Machine.Postgres != "" {
		fmt.Fprintf(&b, "- %s\n", rep.Machine.Postgres)
	}
	b.WriteString("\n## Targets\n\n| target | bound | test | what was done | figures | outcome |\n|---|---|---|---|---|---|\n")
	for _, t := range rep.Targets {
		if len(t.Results) == 0 {
			fmt.Fprintf(&b, "| %s | %s | – | no test reported this target | – | **missing** |\n", t.ID, cell(t.Bound))
			continue
		}
		for _, r := range t.Results {
			var figures []string
			for _, f := range r.Figures {
				figures = append(figures, f.Name+": "+f.Value)
			}
			if r.Reason != "" {
				figures = append(figures, r.Reason)
			}
			outcome := r.Outcome
			if outcome != "pass" {
				outcome = "**" + outcome + "**"
			}
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s | %s (%.1f s) |\n", t.ID, cell(t.Bound), r.Test, cell(r.Done),
				cell(strings.Join(figures, "; ")), outcome, r.Seconds)
		}
	}
	return b.Bytes()
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
