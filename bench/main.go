// Command bench measures contextapi side by side with its baselines (targets P1–P9 of
// docs/targets.md) and writes docs/performance.json and the report table of
// docs/performance.md.
//
//	go run ./bench                          # full run at 10k, 100k and 1M
//	go run ./bench -sizes 100k              # one size
//	go run ./bench -quick                   # CI: 10k, short, wide margins, exit 1 on failure
//	go run ./bench baselines -bodies F ...  # the baselines server (started by the bench)
//
// For each size it makes sure a seeded database contextapi_bench_<size> exists, starts the
// service twice (cache on, cache off) and the baselines in a child process, checks that
// every contender gives the same answers, then measures them in interleaved rounds. See
// docs/performance.md for the method.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// errFailed marks a run that completed but must exit non-zero (disagreement, or a
// quick-mode margin missed); the details are already printed.
var errFailed = errors.New("bench: failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	var err error
	if len(os.Args) > 1 && os.Args[1] == "baselines" {
		err = runBaselines(ctx, os.Args[2:])
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
	cfg, err := parseFlags(args, os.Stderr)
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
		logf("work directory kept: %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	cfg.Revision = revision(cfg.Root) // the code measured, whatever is committed meanwhile
	bin, err := buildService(ctx, cfg.Root, work)
	if err != nil {
		return err
	}
	run := &runResult{Started: started.UTC(), Mode: modeOf(cfg), BySize: map[string]*sizeResult{}}
	run.Machine, err = describeMachine(ctx, cfg.AdminURL)
	if err != nil {
		return err
	}
	run.Drift = checkSQLDrift(cfg.Root)
	for _, w := range run.Drift {
		logf("WARNING: %s", w)
	}
	failed := false
	for _, sz := range cfg.Sizes {
		res, err := runSize(ctx, cfg, bin, work, sz)
		if err != nil {
			return fmt.Errorf("%s: %w", sz.Label, err)
		}
		if cfg.Quick && len(res.Disagreements) == 0 {
			// A noisy machine can push one figure past a wide margin (a stall of a few
			// seconds does); a real regression does it twice. Measure once more.
			if misses := quickFailures(buildReport(cfg, &runResult{Sizes: []string{sz.Label}, BySize: map[string]*sizeResult{sz.Label: res}})); len(misses) > 0 {
				logf("%s: out of margin (%s): measuring once more", sz.Label, strings.Join(misses, "; "))
				if res, err = runSize(ctx, cfg, bin, work, sz); err != nil {
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
		if run.Growth, err = measureGrowth(ctx, cfg, bin, work, lo, hi); err != nil {
			return fmt.Errorf("cost growth: %w", err)
		}
	}
	run.Elapsed = time.Since(started)
	rep := buildReport(cfg, run)
	table := markdownTable(rep)
	fmt.Fprintln(out)
	fmt.Fprint(out, table)
	if err := writeOutputs(cfg, rep, table); err != nil {
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
func quickVerdict(out io.Writer, run *runResult, rep *report) bool {
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
	for _, m := range quickFailures(rep) {
		fmt.Fprintln(out, "OUT OF MARGIN:", m)
		failed = true
	}
	return failed
}

func modeOf(c config) string {
	if c.Quick {
		return "quick"
	}
	return "full"
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

// logf reports progress on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}
