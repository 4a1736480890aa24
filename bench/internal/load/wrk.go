package load

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WrkRunner saturates with wrk (Debian's package, 4.1): one thread (-t1), so it costs
// less per request than the contenders it loads, keep-alive connections, and a Lua
// script per workload that rotates through its requests and whose done() prints one
// machine-readable line (summaryPrefix, then JSON).
type WrkRunner struct {
	Path string // the wrk executable
	Dir  string // where the scripts are written

	mu      sync.Mutex
	scripts map[string]string // script text → file
}

// wrkTimeout bounds a request's latency in wrk's histogram. A slower answer still
// counts as a completed request but is also counted as a timeout error (wrk cannot
// place it); wrk allocates the histogram as one counter per microsecond up to it.
const wrkTimeout = 10 * time.Second

// NewWrk finds wrk on the PATH; the error says how to install it.
func NewWrk(dir string) (*WrkRunner, error) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		return nil, errors.New("wrk is not installed: the saturation phases need it (scripts/wrk.sh installs Debian's package; -generator go uses the bench's own, costlier client instead)")
	}
	return &WrkRunner{Path: path, Dir: dir, scripts: map[string]string{}}, nil
}

// Name is Wrk.
func (*WrkRunner) Name() string { return Wrk }

// Saturate runs wrk -t1 -c<conns> for d. wrk's -d takes whole seconds: a shorter or
// fractional d is ended by SIGINT, after which wrk still reports (its duration is the
// time it actually ran).
func (w *WrkRunner) Saturate(ctx context.Context, base string, reqs []Request, conns int, d time.Duration) (Result, error) {
	script, err := w.script(reqs)
	if err != nil {
		return Result{}, err
	}
	secs := max(1, int(math.Ceil(d.Seconds())))
	args := []string{"-t1", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(secs) + "s",
		"--timeout", strconv.Itoa(int(wrkTimeout.Seconds())) + "s", "--latency", "-s", script, base + "/"}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, w.Path, args...) // #nosec G204 -- wrk found on the PATH; the arguments are the bench's own
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("wrk: %w", err)
	}
	if d < time.Duration(secs)*time.Second {
		stop := time.AfterFunc(d, func() { _ = cmd.Process.Signal(os.Interrupt) }) // an exited wrk needs no signal
		defer stop.Stop()
	}
	if err := cmd.Wait(); err != nil {
		return Result{}, fmt.Errorf("wrk %s: %w: %s", strings.Join(args, " "), err, tailOf(stderr.String()+stdout.String()))
	}
	s, err := parseSummary(stdout.String())
	if err != nil {
		return Result{}, fmt.Errorf("wrk %s: %w", strings.Join(args, " "), err)
	}
	return s.result(), nil
}

// script writes (once) the Lua script that rotates through reqs and returns its path.
func (w *WrkRunner) script(reqs []Request) (string, error) {
	text, err := Script(reqs)
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if path, ok := w.scripts[text]; ok {
		return path, nil
	}
	sum := sha256.Sum256([]byte(text))
	path := filepath.Join(w.Dir, "wrk-"+hex.EncodeToString(sum[:8])+".lua")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return "", err
	}
	w.scripts[text] = path
	return path, nil
}

// summaryPrefix starts the line done() prints.
const summaryPrefix = "contextapi-bench-wrk "

// quantiles are the latency percentiles done() prints: every percent, then the tail.
var quantiles = func() []float64 {
	var q []float64
	for p := 1; p <= 99; p++ {
		q = append(q, float64(p))
	}
	return append(q, 99.5, 99.9, 100)
}()

// Script is the Lua script of a workload: init formats every request once; request
// returns them in turn (one thread, so one rotation over all connections); done prints
// the summary line (requests, duration, latency percentiles, non-2xx answers and socket
// errors) as JSON.
func Script(reqs []Request) (string, error) {
	if len(reqs) == 0 {
		return "", errors.New("wrk: a workload without requests")
	}
	var b strings.Builder
	b.WriteString("-- Written by the contextapi bench (bench/internal/load): one workload's requests in turn.\n")
	b.WriteString("local workload = {\n")
	for _, r := range reqs {
		body := "nil"
		if r.Body != nil {
			body = luaString(string(r.Body))
		}
		fmt.Fprintf(&b, "  {%s, %s, %s},\n", luaString(r.Method), luaString(r.URI), body)
	}
	b.WriteString("}\n")
	ps := make([]string, len(quantiles))
	for i, q := range quantiles {
		ps[i] = strconv.FormatFloat(q, 'f', -1, 64)
	}
	fmt.Fprintf(&b, "local quantiles = {%s}\n", strings.Join(ps, ", "))
	b.WriteString(`local formatted = {}
local turn = 0

init = function(args)
  for i, r in ipairs(workload) do
    local headers = nil
    if r[3] then
      headers = {["Content-Type"] = "application/json"}
    end
    formatted[i] = wrk.format(r[1], r[2], headers, r[3])
  end
end

request = function()
  turn = turn % #formatted + 1
  return formatted[turn]
end

done = function(summary, latency, requests)
  local q = {}
  for i, p in ipairs(quantiles) do
    if p >= 100 then
      q[i] = string.format("%d", latency.max)
    else
      q[i] = string.format("%d", latency:percentile(p))
    end
  end
  local e = summary.errors
  io.write(string.format('` + summaryPrefix + `{"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"quantiles_us":[%s]}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), table.concat(q, ",")))
end
`)
	return b.String(), nil
}

// luaString quotes s as a Lua long string, whose level no "]" in s closes early.
func luaString(s string) string {
	level := ""
	for strings.Contains(s, "]"+level+"]") {
		level += "="
	}
	return "[" + level + "[" + s + "]" + level + "]"
}

// summary is the line done() prints. non2xx is wrk's status errors (answers of 400 and
// above); timeout counts answers slower than wrkTimeout, which still completed.
type summary struct {
	Requests    int     `json:"requests"`
	DurationUS  int64   `json:"duration_us"`
	Non2xx      int     `json:"non2xx"`
	Connect     int     `json:"connect"`
	Read        int     `json:"read"`
	Write       int     `json:"write"`
	Timeout     int     `json:"timeout"`
	P50US       int64   `json:"p50_us"`
	P95US       int64   `json:"p95_us"`
	P99US       int64   `json:"p99_us"`
	QuantilesUS []int64 `json:"quantiles_us"`
}

func parseSummary(stdout string) (summary, error) {
	var s summary
	for _, line := range strings.Split(stdout, "\n") {
		if js, ok := strings.CutPrefix(line, summaryPrefix); ok {
			if err := json.Unmarshal([]byte(js), &s); err != nil {
				return s, fmt.Errorf("unreadable summary %q: %w", line, err)
			}
			if len(s.QuantilesUS) != len(quantiles) {
				return s, fmt.Errorf("summary has %d quantiles, want %d", len(s.QuantilesUS), len(quantiles))
			}
			return s, nil
		}
	}
	return s, fmt.Errorf("no summary line in its output: %s", tailOf(stdout))
}

// result turns the summary into a Result. wrk keeps a histogram, not samples: the
// latencies are rebuilt from its percentiles, one sample per answer (at most
// maxSamples), each percentile standing for the share of answers up to it, so that
// rounds pool by their number of answers as the Go client's samples do.
func (s summary) result() Result {
	r := Result{
		N:         max(0, s.Requests-s.Non2xx),
		Errors:    s.Non2xx + s.Connect + s.Read + s.Write + s.Timeout,
		Elapsed:   time.Duration(s.DurationUS) * time.Microsecond,
		Generator: Wrk,
	}
	n := min(s.Requests, maxSamples)
	r.Lat = make([]time.Duration, 0, n)
	for i, q := range quantiles {
		upto := int(math.Round(q / 100 * float64(n)))
		for len(r.Lat) < upto {
			r.Lat = append(r.Lat, time.Duration(s.QuantilesUS[i])*time.Microsecond)
		}
	}
	return r
}

// tailOf is the end of a program's output, for error messages.
func tailOf(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 800 {
		s = "…" + s[len(s)-800:]
	}
	return s
}
