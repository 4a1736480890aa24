package test

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// fuzzTargets are the fuzz tests of R8: query parameters, search bodies, cursors. Each
// asserts that an input becomes valid parameters or a validation error, never a panic.
var fuzzTargets = []struct{ pkg, name string }{
	{"../internal/adapters/httpapi", "FuzzListParams"},
	{"../internal/adapters/httpapi", "FuzzSemanticBody"},
	{"../internal/app", "FuzzCursorDecode"},
}

var fuzzTime = reliability.Pick(5*time.Second, 2*time.Minute)

var fuzzExecs = regexp.MustCompile(`execs: (\d+)`)

// TestR08Fuzzing runs each fuzz test with Go's fuzzing engine for fuzzTime. The engine
// fails on a panic, on a failed assertion, and on an input that hangs its worker; a
// failing input is kept in the package's testdata/fuzz to be replayed by every go test.
func TestR08Fuzzing(t *testing.T) {
	rec := reliability.Target(t, "R8", fmt.Sprintf("Go's fuzzing engine for %s on each of %d fuzz tests: list query parameters, semantic search bodies, cursors",
		fuzzTime, len(fuzzTargets)))
	for _, target := range fuzzTargets {
		t.Run(target.name, func(t *testing.T) {
			// Compiling with fuzzing instrumentation takes minutes on a cold build cache.
			// Minimizing a new interesting input (not a failure) may otherwise take a
			// minute of the fuzzing time without running anything new.
			ctx, cancel := context.WithTimeout(t.Context(), fuzzTime+10*time.Minute)
			defer cancel()
			start := time.Now()
			out, err := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-fuzz", "^"+target.name+"$",
				"-fuzztime", fuzzTime.String(), "-fuzzminimizetime", "2s", target.pkg).CombinedOutput()
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
