// Command bench measures contextapi side by side with its baselines (targets P1–P9 of
// docs/targets.md) and writes docs/performance.json and the report section of
// docs/performance.md. See docs/performance.md for the method.
//
//	go run ./bench                          # full run at 10k, 100k and 1M
//	go run ./bench -sizes 100k              # one size
//	go run ./bench -quick                   # CI: 10k, short, wide margins, exit 1 on failure
//	go run ./bench baselines -bodies F ...  # the baselines server (started by the bench)
//
// The packages under bench/internal, in the order a run uses them:
//
//	config       the run's settings, from the flags
//	database     the bench databases: created, seeded, reused; pgx pools
//	statements   the service's SQL, read from the PostgreSQL adapter's golden files
//	workload     the requests of each target, from the data's shape
//	contenders   the service processes and the baselines B0, B1, B2 and EX
//	load         wrk and the Go client: saturation, fixed rate, one connection
//	measure      agreement checks and recall, interleaved rounds, every workload's timing
//	report       the targets' evaluation, the JSON and Markdown report
//
// For each size, sizeRun.run (size.go) makes sure a seeded database exists, starts the
// service twice (cache on, cache off) and the baselines in a child process, checks that
// every contender gives the same answers, then measures them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/contextapi/contextapi/bench/internal/config"
	"github.com/contextapi/contextapi/bench/internal/contenders"
	"github.com/contextapi/contextapi/bench/internal/load"
	"github.com/contextapi/contextapi/bench/internal/measure"
	"github.com/contextapi/contextapi/bench/internal/progress"
	"github.com/contextapi/contextapi/bench/internal/report"
	"github.com/contextapi/contextapi/bench/internal/statements"
)

// errFailed marks a run that completed but must exit non-zero (disagreement, or a
// quick-mode margin missed); the details are already printed.
var errFailed = errors.New("bench: failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	var err error
	if len(os.Args) > 1 && os.Args[1] == contenders.BaselinesCommand {
		err = contenders.ServeBaselines(ctx, os.Args[2:])
	} else {
		err = runBench(ctx, os.Args[1:], os.Stdout)
	}
	stop()
	if err != nil {
		if !errors.Is(err, errFailed) {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		os.Exit(1)
	}
}

// runBench is the bench proper: provision, start, check, measure, report.
func runBench(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := config.Parse(args, os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if cfg.Root, err = moduleRoot(); err != nil {
		return err
	}
	started := time.Now()
	work, err := os.MkdirTemp("", "contextapi-bench-")
	if err != nil {
		return err
	}
	if cfg.Keep {
		progress.Logf("work directory kept: %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	// The saturation phases' generator: wrk unless -generator go. Checked first, so a
	// machine without wrk fails at once, saying how to install it.
	var sat load.Saturator = load.GoClient{}
	if cfg.Generator == config.GeneratorWrk {
		if sat, err = load.NewWrk(work); err != nil {
			return err
		}
	}
	goldenDir := filepath.Join(cfg.Root, filepath.FromSlash(statements.GoldenDir))
	sql, err := statements.Load(goldenDir)
	if err != nil {
		return fmt.Errorf("B1 cannot read the service's statements: %w", err)
	}
	cfg.Revision = report.Revision(cfg.Root) // the code measured, whatever is committed meanwhile
	bin, err := contenders.Build(ctx, cfg.Root, work)
	if err != nil {
		return err
	}
	run := &report.Run{Started: started.UTC(), Mode: cfg.Mode(), BySize: map[string]*measure.SizeResult{}, Generator: sat.Name()}
	run.Machine, err = report.DescribeMachine(ctx, cfg.AdminURL)
	if err != nil {
		return err
	}
	run.Drift = sql.Drift(goldenDir)
	for _, w := range run.Drift {
		progress.Logf("WARNING: %s", w)
	}
	sizes := sizeRun{cfg: cfg, bin: bin, work: work, goldenDir: goldenDir, sql: sql, sat: sat}
	failed := false
	for _, sz := range cfg.Sizes {
		res, err := sizes.run(ctx, sz)
		if err != nil {
			return fmt.Errorf("%s: %w", sz.Label, err)
		}
		if cfg.Quick && len(res.Disagreements) == 0 {
			// A noisy machine can push one figure past a wide margin (a stall of a few
			// seconds does); a real regression does it twice. Measure once more.
			one := &report.Run{Sizes: []string{sz.Label}, BySize: map[string]*measure.SizeResult{sz.Label: res}, Generator: sat.Name()}
			if misses := report.QuickFailures(report.Build(cfg, one)); len(misses) > 0 {
				progress.Logf("%s: out of margin (%s): measuring once more", sz.Label, strings.Join(misses, "; "))
				if res, err = sizes.run(ctx, sz); err != nil {
					return fmt.Errorf("%s: %w", sz.Label, err)
				}
			}
		}
		run.BySize[sz.Label] = res
		run.Sizes = append(run.Sizes, sz.Label)
		if len(res.Disagreements) > 0 {
			failed = true
		}
	}
	if n := len(run.Sizes); n >= 2 && !failed {
		lo, hi := run.BySize[run.Sizes[0]], run.BySize[run.Sizes[n-1]]
		if run.Growth, err = measure.Growth(ctx, cfg, bin, sat, work, lo, hi); err != nil {
			return fmt.Errorf("cost growth: %w", err)
		}
	}
	run.Elapsed = time.Since(started)
	rep := report.Build(cfg, run)
	markdown := report.Markdown(rep)
	fmt.Fprintln(out)
	fmt.Fprint(out, markdown)
	if err := report.Write(cfg.Root, cfg.JSONOut, cfg.MDOut, rep, markdown); err != nil {
		return err
	}
	for _, sz := range run.Sizes {
		for _, d := range run.BySize[sz].Disagreements {
			fmt.Fprintf(out, "DISAGREEMENT %s: %s\n", sz, d)
		}
	}
	if cfg.Quick && quickVerdict(out, run, rep) {
		failed = true
	}
	fmt.Fprintf(out, "bench: %s run of %s in %s\n", run.Mode, strings.Join(run.Sizes, ","), run.Elapsed.Round(time.Second))
	if failed {
		return errFailed
	}
	return nil
}

// quickVerdict prints what fails a -quick run and reports whether anything does: B1 out
// of step with the service's statements (a drift is a failure in CI), or a value outside
// the wide margins.
func quickVerdict(out io.Writer, run *report.Run, rep *report.Report) bool {
	failed := false
	for _, d := range run.Drift {
		fmt.Fprintln(out, "B1 OUT OF STEP:", d)
		failed = true
	}
	for _, sz := range run.Sizes {
		if run.BySize[sz].Values["info.statement_mix_differs"] > 0 {
			fmt.Fprintf(out, "B1 OUT OF STEP: %s: B1 sends other statements than the service (see the notes)\n", sz)
			failed = true
		}
	}
	for _, m := range report.QuickFailures(rep) {
		fmt.Fprintln(out, "OUT OF MARGIN:", m)
		failed = true
	}
	return failed
}

// moduleRoot finds the directory of contextapi's go.mod from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(dir + "/go.mod") // #nosec G304 -- the developer's working directory and its parents
		if err == nil && strings.Contains(string(b), "module github.com/contextapi/contextapi\n") {
			return dir, nil
		}
		parent := dir[:max(strings.LastIndex(dir, "/"), 0)]
		if parent == dir || parent == "" {
			return "", errors.New("run the bench from inside the contextapi module (go run ./bench)")
		}
		dir = parent
	}
}
