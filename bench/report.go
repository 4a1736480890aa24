package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// runResult is one bench run.
type runResult struct {
	Started time.Time
	Elapsed time.Duration
	Mode    string
	Sizes   []string
	BySize  map[string]*sizeResult
	Machine string
	Drift   []string
	Growth  *growthResult // P9, when two sizes were measured
}

// report is docs/performance.json.
type report struct {
	Machine      string                   `json:"machine"`
	RunAt        string                   `json:"run_at"`
	Run          runInfo                  `json:"run"`
	Targets      map[string]*targetReport `json:"targets"`
	Measurements map[string][]measurement `json:"measurements"`
	Notes        map[string][]string      `json:"notes,omitempty"`
}

// runInfo says which run the report is.
type runInfo struct {
	Mode         string            `json:"mode"`
	Sizes        []string          `json:"sizes"`
	Duration     string            `json:"duration"`
	Revision     string            `json:"revision"`
	Settings     map[string]string `json:"settings"`
	DataAsOf     map[string]string `json:"data_as_of"`
	Disagreement map[string]int    `json:"disagreements"`
}

func buildReport(cfg config, run *runResult) *report {
	rep := &report{
		Machine:      run.Machine,
		RunAt:        run.Started.Format(time.RFC3339),
		Targets:      evaluate(cfg.Quick, run),
		Measurements: map[string][]measurement{},
		Notes:        map[string][]string{},
		Run: runInfo{
			Mode: run.Mode, Duration: run.Elapsed.Round(time.Second).String(),
			Revision: cfg.Revision, DataAsOf: map[string]string{}, Disagreement: map[string]int{},
			Settings: map[string]string{
				"conns": fmt.Sprint(cfg.Conns), "duration": cfg.Duration.String(), "rounds": fmt.Sprint(cfg.Rounds),
				"open_duration": cfg.OpenDuration.String(), "open_fraction": fmt.Sprint(cfg.OpenFraction),
				"ef_search": map[bool]string{true: fmt.Sprint(cfg.EfSearch), false: "by table size (100 up to 500k, 200 above)"}[cfg.EfSearch > 0], "iterative_scan": cfg.IterativeScan,
				"transport": cmp.Or(map[bool]string{true: "unix socket " + cfg.Socket}[cfg.Socket != ""], "tcp loopback"),
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
		for _, k := range sortedKeys(res.Values) {
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
func sortedMeasurements(in []measurement) []measurement {
	ms := slices.Clone(in)
	slices.SortStableFunc(ms, func(a, b measurement) int {
		return cmp.Or(cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Mode, b.Mode), cmp.Compare(a.Contender, b.Contender))
	})
	for i := range ms {
		ms[i].P50, ms[i].P95, ms[i].P99, ms[i].RPS, ms[i].Rate = round(ms[i].P50), round(ms[i].P95), round(ms[i].P99), round(ms[i].RPS), round(ms[i].Rate)
		for j := range ms[i].Rounds {
			ms[i].Rounds[j] = round(ms[i].Rounds[j])
		}
	}
	return ms
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// markdownTable renders every target's values against their bounds.
func markdownTable(rep *report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run: %s, %s mode, sizes %s, took %s, revision %s.  \nMachine: %s.\n\n",
		rep.RunAt, rep.Run.Mode, strings.Join(rep.Run.Sizes, ", "), rep.Run.Duration, rep.Run.Revision, rep.Machine)
	b.WriteString("| target | size | value | measured | bound | met |\n|---|---|---|---|---|---|\n")
	for _, id := range sortedIDs(rep.Targets) {
		tr := rep.Targets[id]
		if len(tr.checks) == 0 {
			fmt.Fprintf(&b, "| %s | | | | | %s |\n", id, tr.Note)
			continue
		}
		for _, c := range tr.checks {
			met := "yes"
			if !c.OK {
				met = "**no**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s %s | %s |\n", id, c.Size, c.Key, fmtValue(c.Value), c.Op, fmtValue(c.Bound), met)
		}
	}
	b.WriteString("\n")
	for _, id := range sortedIDs(rep.Targets) {
		fmt.Fprintf(&b, "- **%s** %s: %s\n", id, rep.Targets[id].Target, rep.Targets[id].Note)
	}
	b.WriteString("\n<details><summary>Raw figures (median throughput over rounds; latency percentiles in ms)</summary>\n\n")
	b.WriteString("| size | workload | contender | mode | req/s | p50 | p95 | p99 | errors |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, label := range rep.Run.Sizes {
		for _, m := range rep.Measurements[label] {
			rps := ""
			switch {
			case m.RPS > 0:
				rps = fmtValue(m.RPS)
			case m.Rate > 0:
				rps = "at " + fmtValue(m.Rate)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |\n", label, m.Workload, m.Contender, m.Mode,
				rps, fmtValue(m.P50), fmtValue(m.P95), fmtValue(m.P99), m.Errors, m.Requests)
		}
	}
	b.WriteString("\n</details>\n")
	for _, k := range sortedKeys(rep.Notes) {
		for _, n := range rep.Notes[k] {
			fmt.Fprintf(&b, "\nNote (%s): %s", k, n)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// Report markers in docs/performance.md: the run replaces what lies between them.
const (
	markStart = "<!-- bench:report:start -->"
	markEnd   = "<!-- bench:report:end -->"
)

func writeOutputs(cfg config, rep *report, table string) error {
	if cfg.JSONOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(abs(cfg.Root, cfg.JSONOut), append(b, '\n'), 0o644); err != nil { // #nosec G306 G703 -- committed documentation; the developer's -json flag
			return err
		}
		logf("wrote %s", cfg.JSONOut)
	}
	if cfg.MDOut == "" {
		return nil
	}
	path := abs(cfg.Root, cfg.MDOut)
	old, err := os.ReadFile(path) // #nosec G304 -- the developer's -md flag
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	doc := string(old)
	section := markStart + "\n" + table + markEnd
	i, j := strings.Index(doc, markStart), strings.Index(doc, markEnd)
	if i >= 0 && j > i {
		doc = doc[:i] + section + doc[j+len(markEnd):]
	} else {
		doc += "\n## Latest report\n\n" + section + "\n"
	}
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil { // #nosec G306 G703 -- committed documentation; the developer's -md flag
		return err
	}
	logf("wrote %s", cfg.MDOut)
	return nil
}

func abs(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

// describeMachine names the machine: CPUs, memory, CPU model, OS, Go, PostgreSQL and
// pgvector versions.
func describeMachine(ctx context.Context, dbURL string) (string, error) {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	osName := runtime.GOOS
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				osName = strings.Trim(v, `"`)
			}
		}
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", redact(dbURL), err)
	}
	defer conn.Close(context.Background())
	var pg, vec string
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version'),
		COALESCE((SELECT extversion FROM pg_extension WHERE extname = 'vector'),
			(SELECT default_version FROM pg_available_extensions WHERE name = 'vector'), 'none')`).Scan(&pg, &vec); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d vCPU %s%s, %s, %s, PostgreSQL %s, pgvector %s (same host, loopback)",
		runtime.NumCPU(), model, mem, osName, runtime.Version(), pg, vec), nil
}

// revision is the git commit the run measured, "+dirty" with local changes.
func revision(root string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output() // #nosec G204 -- root is the module root found from the working directory
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 { // #nosec G204 -- as above
		rev += "+dirty"
	}
	return rev
}
