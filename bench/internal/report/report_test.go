package report

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/bench/internal/config"
	"github.com/contextapi/contextapi/bench/internal/measure"
)

var update = flag.Bool("update", false, "rewrite the report golden files in testdata")

func fixedConfig() config.Config {
	return config.Config{Conns: 32, Duration: 2 * time.Second, Rounds: 5, OpenDuration: 2 * time.Second,
		OpenFraction: 0.5, IterativeScan: "relaxed_order", Revision: "abc1234"}
}

// fixedRun is a small run: one size, a few figures, a disagreement-free P1 miss.
func fixedRun() *Run {
	values := passing()
	values["p1.get"] = 0.8123456
	values["info.recall_b1"] = 1
	return &Run{
		Started:   time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
		Elapsed:   83*time.Second + 400*time.Millisecond,
		Mode:      "full",
		Sizes:     []string{"10k"},
		Machine:   "2 vCPU test CPU, 8 GiB RAM, Debian GNU/Linux 12 (bookworm), go1.26.11, PostgreSQL 15.20, pgvector 0.8.0 (same host, loopback)",
		Generator: "wrk",
		BySize: map[string]*measure.SizeResult{"10k": {
			Label: "10k", Rows: 10_000, AsOf: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Values: values,
			Notes: []string{"load average at start: 1.00 0.50 0.25"},
			Measurements: []measure.Measurement{
				{Workload: "cached list page", Contender: "service", Mode: measure.Saturation, Generator: "wrk",
					RPS: 30123.456, P50: 0.81234, P95: 1.9, P99: 3.25, Requests: 301234, Rounds: []float64{30123.456, 29000.04}},
				{Workload: "cached list page", Contender: "B0", Mode: measure.Saturation, Generator: "wrk",
					RPS: 35000, P50: 0.7, P95: 1.5, P99: 2, Requests: 350000, Rounds: []float64{35000, 34000}},
				{Workload: "uncached aggregations, 30 days", Contender: "trend", Mode: measure.FixedRate, Generator: "go",
					Rate: 164.8, P50: 3.9, P95: 10.76, P99: 18.455, Requests: 345},
			},
		}},
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o600))
	}
	want, err := os.ReadFile(path) // #nosec G304 -- the test's own golden file
	require.NoError(t, err, "go test ./bench/internal/report -update writes it")
	assert.Equal(t, string(want), string(got))
}

func TestMarkdownGolden(t *testing.T) {
	golden(t, "testdata/report.md", []byte(Markdown(Build(fixedConfig(), fixedRun()))))
}

func TestJSONGolden(t *testing.T) {
	b, err := JSON(Build(fixedConfig(), fixedRun()))
	require.NoError(t, err)
	golden(t, "testdata/report.json", b)
}

func TestReplaceSection(t *testing.T) {
	doc := "# Perf\n\n" + markStart + "\nold\n" + markEnd + "\n\n## After\n"
	assert.Equal(t, "# Perf\n\n"+markStart+"\nnew\n"+markEnd+"\n\n## After\n", replaceSection(doc, "new\n"))
	assert.Equal(t, "# Perf\n\n## Latest report\n\n"+markStart+"\nnew\n"+markEnd+"\n", replaceSection("# Perf\n", "new\n"))
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "performance.md")
	require.NoError(t, os.WriteFile(md, []byte("# P\n"+markStart+"\nx\n"+markEnd+"\n"), 0o600))
	rep := Build(fixedConfig(), fixedRun())
	require.NoError(t, Write(dir, "performance.json", "performance.md", rep, "table\n"))
	b, err := os.ReadFile(md) // #nosec G304 -- the test's temporary directory
	require.NoError(t, err)
	assert.Equal(t, "# P\n"+markStart+"\ntable\n"+markEnd+"\n", string(b))
	js, err := os.ReadFile(filepath.Join(dir, "performance.json")) // #nosec G304 -- as above
	require.NoError(t, err)
	want, err := JSON(rep)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(js))
}
