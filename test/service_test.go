package test

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// service is the built binary serving as a process, for the reliability tests that
// judge it from outside: exit status, memory, goroutines, logs.
type service struct {
	base    string // http://addr of the API
	cmd     *exec.Cmd
	logPath string     // the process's stderr: JSON request logs, as production writes them
	exited  chan error // receives cmd.Wait's result once
}

// startService runs `contextapi serve` with args on a free port, env added to a clean
// environment, and waits until it is ready. The process is killed when the test ends
// unless the test has already waited for it.
func startService(t *testing.T, env []string, args ...string) *service {
	t.Helper()
	bin := buildBinary(t)
	addr := freePort(t)
	logPath := filepath.Join(t.TempDir(), "serve.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--log-format", "json"}, args...)...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stderr = logFile
	require.NoError(t, cmd.Start())
	s := &service{base: "http://" + addr, cmd: cmd, logPath: logPath, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait(); _ = logFile.Close() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.exited
		if t.Failed() {
			t.Logf("service log (last lines):\n%s", s.logTail(t, 20))
		}
	})
	require.Eventually(t, func() bool { return s.status("/health/ready") == http.StatusOK }, 20*time.Second, 50*time.Millisecond,
		"the service becomes ready")
	return s
}

// wait waits up to within for the process to exit and returns cmd.Wait's result; the
// test fails if it does not exit in time.
func (s *service) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-s.exited:
		s.exited <- err // for startService's cleanup, which waits for it too
		return err
	case <-time.After(within):
		t.Fatalf("the process did not exit within %v", within)
		return nil
	}
}

// status is the status of a GET, 0 when nothing answers.
func (s *service) status(path string) int {
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get(s.base + path)
	if err != nil {
		return 0
	}
	_ = res.Body.Close()
	return res.StatusCode
}

// signal sends sig to the process.
func (s *service) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(sig))
}

func (s *service) logTail(t *testing.T, n int) string {
	t.Helper()
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// scrape reads /metrics: each metric's value, the series of one name added together
// (histograms count their observations).
func (s *service) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	values, err := s.metrics()
	require.NoError(t, err)
	return values
}

// metrics is scrape for goroutines other than the test's own.
func (s *service) metrics() (map[string]float64, error) {
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get(s.base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics answered %d", res.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		return nil, err
	}
	values := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			switch {
			case m.Gauge != nil:
				values[name] += m.GetGauge().GetValue()
			case m.Counter != nil:
				values[name] += m.GetCounter().GetValue()
			case m.Histogram != nil:
				values[name] += float64(m.GetHistogram().GetSampleCount())
			case m.Untyped != nil:
				values[name] += m.GetUntyped().GetValue()
			}
		}
	}
	return values, nil
}

// attack sends requests from targeter at a fixed rate for d and returns vegeta's
// metrics: status codes, latencies, transport errors.
func attack(t *testing.T, name string, targeter vegeta.Targeter, perSecond int, d time.Duration) *vegeta.Metrics {
	t.Helper()
	attacker := vegeta.NewAttacker(vegeta.Timeout(30*time.Second), vegeta.KeepAlive(true))
	var m vegeta.Metrics
	for res := range attacker.Attack(targeter, vegeta.Rate{Freq: perSecond, Per: time.Second}, d, name) {
		m.Add(res)
	}
	m.Close()
	return &m
}

// statusCount is how many answers had the status code.
func statusCount(m *vegeta.Metrics, code int) int {
	return m.StatusCodes[fmt.Sprint(code)]
}

// fiveHundreds counts answers with a 5xx status.
func fiveHundreds(m *vegeta.Metrics) int {
	n := 0
	for code, count := range m.StatusCodes {
		if strings.HasPrefix(code, "5") {
			n += count
		}
	}
	return n
}

// transportErrors counts requests that got no HTTP answer at all (vegeta reports code 0).
func transportErrors(m *vegeta.Metrics) int { return m.StatusCodes["0"] }

// mixedRequests is every request R1's mix (docs/targets.md) draws from, by kind: list
// pages over varied filters, gets of traces 1..traces, searches, aggregations. Searches
// are realistic ones: half are similar-incident searches of traces 1..traces, half
// semantic searches with the embeddings of the latest incidents (some repeat, as
// analyses of one incident would). A random vector has no near neighbour, and such a
// search reads far more of the index (docs/performance.md, P5): R2 floods with those.
type mixedRequests struct {
	lists, gets, searches, similar, aggregations []vegeta.Target
}

func newMixedRequests(t *testing.T, base string, traces int) *mixedRequests {
	t.Helper()
	r := &mixedRequests{}
	get := func(path string) vegeta.Target { return vegeta.Target{Method: http.MethodGet, URL: base + path} }
	r.lists = append(r.lists, get("/api/v1/incidents?limit=20"), get("/api/v1/incidents?limit=50&severity=critical"),
		get("/api/v1/incidents?limit=10&status=failed"))
	for _, ns := range []string{"checkout", "payments", "monitoring", "kube-system", "orders", "sandbox"} {
		r.lists = append(r.lists, get("/api/v1/incidents?limit=20&namespace="+ns),
			get("/api/v1/incidents?limit=20&action_type=restart_pod&namespace="+ns))
	}
	for id := 1; id <= traces; id++ {
		r.gets = append(r.gets, get(fmt.Sprintf("/api/v1/incidents/%d", id)))
		r.similar = append(r.similar, get(fmt.Sprintf("/api/v1/incidents/%d/similar?limit=10", id)))
	}
	for _, embedding := range latestEmbeddings(t, base, 50) {
		body, err := json.Marshal(map[string]any{"limit": 10, "embedding": embedding})
		require.NoError(t, err)
		r.searches = append(r.searches, vegeta.Target{Method: http.MethodPost, URL: base + "/api/v1/search/semantic",
			Body: body, Header: http.Header{"Content-Type": []string{"application/json"}}})
	}
	require.NotEmpty(t, r.searches, "the latest incidents have embeddings")
	r.aggregations = append(r.aggregations, get("/api/v1/aggregations/success-rate"), get("/api/v1/aggregations/namespaces"),
		get("/api/v1/aggregations/severity"), get("/api/v1/aggregations/trend?days=7"))
	return r
}

// latestEmbeddings reads the embeddings of the n latest incidents through the API.
func latestEmbeddings(t *testing.T, base string, n int) [][]float32 {
	t.Helper()
	res, err := (&http.Client{Timeout: 30 * time.Second}).Get(fmt.Sprintf("%s/api/v1/incidents?limit=%d&include=embedding", base, n))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var page struct {
		Incidents []struct {
			Embedding []float32 `json:"embedding"`
		} `json:"incidents"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
	var out [][]float32
	for _, inc := range page.Incidents {
		// A zero vector has no direction to compare (the search refuses it with a 400).
		if slices.ContainsFunc(inc.Embedding, func(x float32) bool { return x != 0 }) {
			out = append(out, inc.Embedding)
		}
	}
	return out
}

// all is every request once: a warm-up that fills the cache with the mix's working set.
func (r *mixedRequests) all() []vegeta.Target {
	return slices.Concat(r.lists, r.gets, r.searches, r.similar, r.aggregations)
}

// mix draws 60% lists, 20% gets, 10% searches (5% of each kind) and 10% aggregations from a seeded
// generator, so a run is repeatable; the targeter is safe for vegeta's workers.
func (r *mixedRequests) mix(seed uint64) vegeta.Targeter {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 0))
	return func(tgt *vegeta.Target) error {
		mu.Lock()
		defer mu.Unlock()
		var kind []vegeta.Target
		switch p := rng.IntN(100); {
		case p < 60:
			kind = r.lists
		case p < 80:
			kind = r.gets
		case p < 85:
			kind = r.searches
		case p < 90:
			kind = r.similar
		default:
			kind = r.aggregations
		}
		*tgt = kind[rng.IntN(len(kind))]
		return nil
	}
}

// mixedLoad is R1's mix over traces 1..traces.
func mixedLoad(t *testing.T, base string, traces int, seed uint64) vegeta.Targeter {
	t.Helper()
	return newMixedRequests(t, base, traces).mix(seed)
}

// warm sends every target once, a few at a time (below the admission limit, so none is
// shed), and returns how many were not answered 200.
func warm(targets []vegeta.Target) (failed int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan vegeta.Target)
	client := &http.Client{Timeout: 30 * time.Second}
	for range 4 {
		wg.Go(func() {
			for tgt := range next {
				req, err := tgt.Request()
				if err == nil {
					var res *http.Response
					if res, err = client.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, res.Body)
						_ = res.Body.Close()
						if res.StatusCode != http.StatusOK {
							err = fmt.Errorf("status %d", res.StatusCode)
						}
					}
				}
				if err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		})
	}
	for _, tgt := range targets {
		next <- tgt
	}
	close(next)
	wg.Wait()
	return failed
}
