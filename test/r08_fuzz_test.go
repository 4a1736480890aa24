package test

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// fuzzTargets are the fuzz tests of R8: query parameters, search bodies, cursors. Each
// asserts that an input becomes valid parameters or a validation error, never a panic.
//
// Each runs for a number of inputs, not a duration: with a duration, Go's fuzzing
// coordinator (before Go 1.27, golang/go#75804) can report its own deadline as a failure,
// "context deadline exceeded" with no failing input, when a worker is busy as the time
// runs out, which a loaded CI machine makes likely. The counts are what each target ran
// here in about 5 s (short mode) and 2 minutes (long mode).
var fuzzTargets = []struct {
	pkg, name   string
	short, long int
}{
	{"../internal/adapters/httpapi", "FuzzListParams", 15_000, 330_000},
	{"../internal/adapters/httpapi", "FuzzSemanticBody", 15_000, 350_000},
	{"../internal/app", "FuzzCursorDecode", 100_000, 2_000_000},
}

var fuzzExecs = regexp.MustCompile(`execs: (\d+)`)

// TestR08Fuzzing runs each fuzz test with Go's fuzzing engine. The engine fails on a
// panic, on a failed assertion, and on an input that hangs its worker; a failing input is
// kept in the package's testdata/fuzz to be replayed by every go test.
func TestR08Fuzzing(t *testing.T) {
	var budgets []string
	for _, target := range fuzzTargets {
		budgets = append(budgets, fmt.Sprintf("%s %d", target.name, reliability.Pick(target.short, target.long)))
	}
	rec := reliability.Target(t, "R8", fmt.Sprintf("Go's fuzzing engine on %d fuzz tests (list query parameters, semantic search bodies, cursors), for a number of inputs each: %s",
		len(fuzzTargets), strings.Join(budgets, ", ")))
	for _, target := range fuzzTargets {
		t.Run(target.name, func(t *testing.T) {
			// Compiling with fuzzing instrumentation takes minutes on a cold build cache.
			// Minimizing a new interesting input (not a failure) may otherwise take a
			// minute without running anything new.
			ctx, cancel := context.WithTimeout(t.Context(), reliability.Pick(2*time.Minute, 8*time.Minute)+10*time.Minute)
			defer cancel()
			start := time.Now()
			inputs := reliability.Pick(target.short, target.long)
			out, err := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-fuzz", "^"+target.name+"$",
				"-fuzztime", fmt.Sprintf("%dx", inputs), "-fuzzminimizetime", "2s", target.pkg).CombinedOutput()
			if !assert.NoError(t, err, "%s", out) {
				return
			}
			execs := "?"
			if all := fuzzExecs.FindAllSubmatch(out, -1); len(all) > 0 {
				execs = string(all[len(all)-1][1])
			}
			rec.Figure(target.name, "%s inputs, no failure (%s with the build)", execs, time.Since(start).Round(time.Second))
		})
	}
}
