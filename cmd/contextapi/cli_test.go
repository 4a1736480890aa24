package main

import (
	"bytes"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/dataset"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/cli")

// fixedNow is when the test's demo service started, and the command line's clock: the
// demo data is placed relative to it, so every id, time and relative age is fixed.
var fixedNow = time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)

// serveDemoAt serves the built-in demo data from memory as `contextapi serve` does
// without a database (the same data set, service and HTTP layer; no read cache, which
// changes no answer), its clock stopped at now. Every request carries the request id
// cli-test, so problem documents are fixed too.
func serveDemoAt(t *testing.T, now time.Time, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	secret := ""
	for _, k := range contextapi.Keys {
		if k.Name == "cursor_secret" {
			secret = k.Default
		}
	}
	clock := func() time.Time { return now }
	svc := app.NewService(memory.NewRepository(dataset.Demo(now)), clock, app.NewCursorCodec([]byte(secret)))
	var h http.Handler = httpapi.NewServer(svc, prometheus.NewRegistry(), slog.New(slog.DiscardHandler), httpapi.Config{})
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("X-Request-Id", "cli-test")
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// screen is where a command's stdout goes: a terminal of some width, or not.
type screen struct {
	terminal bool
	width    int
}

var (
	pipe     = screen{}                           // stdout to a pipe or a file
	wide     = screen{terminal: true, width: 200} // a terminal wider than every table
	terminal = screen{terminal: true, width: 100} // an ordinary terminal
	narrow   = screen{terminal: true, width: 60}  // a narrow one: columns cut short
	tiny     = screen{terminal: true, width: 30}  // columns dropped
	noColour = map[string]string{"NO_COLOR": "1"} // no-color.org
)

// outcome is what one run of the command line did.
type outcome struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line with env as its whole environment, in tm, at fixedNow.
func runCLI(env map[string]string, tm screen, args ...string) outcome {
	var out, errw bytes.Buffer
	con := &console{
		stdout: &out, stderr: &errw,
		lookupEnv: func(name string) (string, bool) { v, ok := env[name]; return v, ok },
		now:       func() time.Time { return fixedNow },
		terminal:  tm.terminal, width: tm.width,
	}
	code := runConsole(args, con)
	return outcome{code: code, stdout: out.String(), stderr: errw.String()}
}

// with is env plus CONTEXTAPI_SERVER naming srv.
func with(srv *httptest.Server, env map[string]string) map[string]string {
	out := map[string]string{envServer: srv.URL}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// checkGolden compares what a run printed with testdata/cli/name.golden (-update
// rewrites it).
func checkGolden(t *testing.T, name string, args []string, o outcome) {
	t.Helper()
	got := "$ contextapi " + strings.Join(args, " ") + "\n" +
		"exit status " + itoa(int64(o.code)) + "\n" +
		"--- stdout\n" + o.stdout + "--- stderr\n" + o.stderr
	path := filepath.Join("testdata", "cli", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o750))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o600))
		return
	}
	want, err := os.ReadFile(path) // #nosec G304 -- a golden file of this package
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), got)
}

// TestCLIGolden runs each command in each output format against the demo service and
// compares everything it printed, and its exit status, with a golden file.
func TestCLIGolden(t *testing.T) {
	srv := serveDemoAt(t, fixedNow, nil)
	const rr = "fcd503bc-3367-498c-8af8-26ac6d657b18" // checkout-api's memory alert, after its second failed restart
	tests := []struct {
		name string
		args string
		tm   screen
		env  map[string]string
		want int
	}{
		{name: "list", args: "incidents list --namespace checkout --limit 3"},
		{name: "list-json", args: "incidents list --namespace checkout --limit 3 -o json"},
		{name: "list-yaml", args: "incidents list --namespace checkout --limit 3 -o yaml"},
		{name: "list-default-page", args: "incidents list"},
		{name: "list-all", args: "incidents list --all --namespace checkout --severity critical --phase failed --limit 2"},
		{name: "list-all-json", args: "incidents list --all --namespace checkout --alert HighMemoryUsage --status failed -o json"},
		{name: "list-since", args: "incidents list --since 6h --severity critical"},
		{name: "list-empty", args: "incidents list --namespace nowhere"},
		{name: "list-terminal", args: "incidents list --namespace checkout --limit 5", tm: terminal, env: noColour},
		{name: "list-narrow", args: "incidents list --namespace checkout --limit 5", tm: narrow, env: noColour},
		{name: "list-tiny", args: "incidents list --namespace checkout --limit 5", tm: tiny, env: noColour},
		{name: "list-colour", args: "incidents list --namespace checkout --limit 5", tm: wide},
		{name: "get", args: "incidents get 288"},
		{name: "get-json", args: "incidents get 288 -o json"},
		{name: "get-yaml", args: "incidents get 288 -o yaml"},
		{name: "similar", args: "incidents similar 281 --limit 3 --threshold 0.8"},
		{name: "similar-json", args: "incidents similar 281 --limit 3 --threshold 0.8 -o json"},
		{name: "similar-yaml", args: "incidents similar 281 --limit 3 --threshold 0.8 -o yaml"},
		{name: "search", args: "search --like 288 --namespace payments --namespace search --limit 3 --threshold 0.8"},
		{name: "search-json", args: "search --like 288 --namespace payments,search --limit 3 --threshold 0.8 -o json"},
		{name: "search-yaml", args: "search --like 288 --namespace payments --namespace search --limit 3 --threshold 0.8 -o yaml"},
		{name: "recovery", args: "context recovery " + rr},
		{name: "recovery-json", args: "context recovery " + rr + " -o json"},
		{name: "recovery-yaml", args: "context recovery " + rr + " -o yaml"},
		{name: "recovery-min-samples", args: "context recovery ddca5de0-be5e-4514-8d5a-6c1bf46fe5d3 --min-samples 2"},
		{name: "historical", args: "context historical --namespace checkout --kind deployment --name checkout-api"},
		{name: "historical-json", args: "context historical --namespace checkout --kind deployment --name checkout-api -o json"},
		{name: "historical-no-similar", args: "context historical -n checkout --kind deployment --name checkout-api --no-similar --time-range 2w"},
		{name: "recovery-narrow", args: "context recovery " + rr, tm: narrow, env: noColour},
		{name: "historical-yaml", args: "context historical --namespace checkout --kind deployment --name checkout-api --no-similar -o yaml"},
		{name: "stats-success-rate", args: "stats success-rate --namespace checkout"},
		{name: "stats-success-rate-json", args: "stats success-rate --namespace checkout -o json"},
		{name: "stats-success-rate-yaml", args: "stats success-rate --namespace checkout -o yaml"},
		{name: "stats-namespaces", args: "stats namespaces"},
		{name: "stats-namespaces-json", args: "stats namespaces -o json"},
		{name: "stats-namespaces-yaml", args: "stats namespaces -o yaml"},
		{name: "stats-severity", args: "stats severity"},
		{name: "stats-severity-json", args: "stats severity -o json"},
		{name: "stats-severity-yaml", args: "stats severity --since 7d -o yaml"},
		{name: "stats-trend", args: "stats trend --days 7"},
		{name: "stats-trend-narrow", args: "stats trend --days 7", tm: narrow, env: noColour},
		{name: "stats-trend-json", args: "stats trend --days 7 -o json"},
		{name: "stats-trend-yaml", args: "stats trend --days 7 -o yaml"},

		// The service refuses: exit status 1, its problem on stderr.
		{name: "error-not-found", args: "incidents get 99999", want: 1},
		{name: "error-invalid", args: "incidents list --limit 101 --phase done", want: 1},
		{name: "error-invalid-json", args: "incidents similar 281 --threshold 2 -o json", want: 1},
		{name: "error-no-history", args: "context historical -n checkout --kind deployment --name checkout-legacy", want: 1},
		{name: "error-unknown-remediation", args: "context recovery 00000000-0000-0000-0000-000000000000", want: 1},
		{name: "error-trend-days", args: "stats trend --days 400", want: 1},

		// Bad usage: exit status 2, what is wrong and where the help is.
		{name: "usage-unknown-flag", args: "incidents list --namepsace checkout", want: 2},
		{name: "usage-missing-id", args: "incidents get", want: 2},
		{name: "usage-bad-id", args: "incidents get abc", want: 2},
		{name: "usage-zero-limit", args: "incidents list --limit 0", want: 2},
		{name: "usage-bad-since", args: "incidents list --since yesterday", want: 2},
		{name: "usage-bad-output", args: "incidents list -o xml", want: 2},
		{name: "usage-unknown-command", args: "incidents lst", want: 2},
		{name: "usage-no-command", args: "context", want: 2},
		{name: "usage-unknown-top-command", args: "incident list", want: 2},
		{name: "usage-stats-kind", args: "stats everything", want: 2},
		{name: "usage-stats-days", args: "stats severity --days 3", want: 2},
		{name: "usage-search-without-like", args: "search --namespace checkout", want: 2},
		{name: "usage-historical-without-kind", args: "context historical --name checkout-api", want: 2},
		{name: "usage-bad-time-range", args: "context historical --kind deployment --name checkout-api --time-range 90m", want: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := strings.Fields(tc.args)
			o := runCLI(with(srv, tc.env), tc.tm, args...)
			assert.Equal(t, tc.want, o.code, "exit status; stderr: %s", o.stderr)
			checkGolden(t, tc.name, args, o)
			if tc.tm.width > 0 {
				for _, line := range strings.Split(strings.TrimRight(o.stdout, "\n"), "\n") {
					assert.LessOrEqual(t, len([]rune(line)), tc.tm.width, "fits the terminal: %q", line)
				}
			}
		})
	}
}

func TestParseSpan(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "90m", want: 90 * time.Minute},
		{in: "24h", want: 24 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "2w", want: 14 * 24 * time.Hour},
		{in: "0d", bad: true},
		{in: "-3h", bad: true},
		{in: "d", bad: true},
		{in: "yesterday", bad: true},
		{in: "1.5d", bad: true},
	}
	for _, tc := range tests {
		got, err := parseSpan(tc.in)
		if tc.bad {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestTimeFlag(t *testing.T) {
	f := timeFlag{now: func() time.Time { return fixedNow }}
	require.NoError(t, f.Set("7d"))
	assert.Equal(t, fixedNow.Add(-7*24*time.Hour), f.t)
	require.NoError(t, f.Set("2026-12-01"))
	assert.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), f.t)
	require.NoError(t, f.Set("2026-12-01T10:00:00+02:00"))
	assert.True(t, f.t.Equal(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)))
	assert.Error(t, f.Set("last week"))
}

func TestAge(t *testing.T) {
	for in, want := range map[time.Duration]string{
		-2 * time.Minute: "in the future", 30 * time.Second: "just now", 42 * time.Minute: "42m ago",
		3 * time.Hour: "3h ago", 47 * time.Hour: "47h ago", 49 * time.Hour: "2d ago", 90 * 24 * time.Hour: "90d ago",
	} {
		assert.Equal(t, want, age(fixedNow, fixedNow.Add(-in)), in.String())
	}
}

// TestTableFitsTheWidth: a table too wide for the terminal first drops its least
// important columns that cannot fit, then uses short forms, then cuts the widest columns
// with an ellipsis; off a terminal (width 0) it is left whole.
func TestTableFitsTheWidth(t *testing.T) {
	tb := &table{cols: []column{
		{header: "ID", rank: 0, right: true},
		{header: "TARGET", rank: 1, min: 6},
		{header: "NOTE", rank: 2, min: 4},
		{header: "EXTRA", rank: 3},
	}}
	tb.add(plain("7"), cell{text: "Deployment/checkout-api", short: "checkout-api"}, plain("a long note"), plain("x"))
	render := func(width int) string {
		var b bytes.Buffer
		tb.render(&view{w: &b, width: width})
		return b.String()
	}
	assert.Equal(t, "ID  TARGET                   NOTE         EXTRA\n 7  Deployment/checkout-api  a long note  x\n", render(0))
	assert.Equal(t, "ID  TARGET     NOTE      EXTRA\n 7  checkout…  a long …  x\n", render(30))
	assert.Equal(t, "ID  TARGET   NOTE\n 7  checko…  a long…\n", render(20))
}
