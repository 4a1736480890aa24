package test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// gatesPassedEnv lists the gates a script ran and saw pass just before the tests
// (scripts/test.sh, scripts/reliability.sh): TestR15StaticGates records them rather than
// running them twice.
const gatesPassedEnv = "CONTEXTAPI_GATES_PASSED"

// TestR15StaticGates holds R15: gofmt, go vet, staticcheck, errorlint, gosec, Wire drift
// (scripts/gates.sh), govulncheck (scripts/vulncheck.sh) and the race detector. Run
// alone, it runs the gates itself; the race detector is met by this run's -race or by
// the script's.
func TestR15StaticGates(t *testing.T) {
	rec := reliability.Target(t, "R15", "the static gates: gofmt, go vet, staticcheck, errorlint, gosec, Wire drift, govulncheck, and the tests under the race detector")
	passed := os.Getenv(gatesPassedEnv)
	if passed != "" {
		rec.Figure("gates passed before the tests", "%s", passed)
	} else {
		for _, gate := range [][]string{{"scripts/gates.sh"}, {"scripts/vulncheck.sh"}} {
			start := time.Now()
			cmd := exec.Command(gate[0], gate[1:]...)
			cmd.Dir = ".."
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s:\n%s", gate[0], out)
			rec.Figure(gate[0], "passed in %s", time.Since(start).Round(time.Second))
		}
	}
	switch {
	case raceDetector:
		rec.Figure("race detector", "this run's tests are built with -race")
	case strings.Contains(passed, "race"):
		rec.Figure("race detector", "run by the script before the suite")
	default:
		rec.Because("the race detector is a gate: run the tests with -race (scripts/test.sh) or through scripts/reliability.sh")
		t.Skip("built without -race and no script ran the race detector")
	}
}
