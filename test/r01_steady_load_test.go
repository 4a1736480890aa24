package test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/dataset/synthetic"
	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// R1 sizes: the long mode is the target as written (100k traces, 30 s); the short mode
// keeps CI to seconds with the same mix and checks.
var (
	steadyTraces   = reliability.Pick(10_000, 100_000)
	steadyDuration = reliability.Pick(5*time.Second, 30*time.Second)
	steadyRate     = reliability.Pick(100, 200) // requests per second
)

// The cache's budget in the R1 and R12 runs: the heap may grow by about this much as
// the cache fills, and no more.
const loadCacheBudget = 32 << 20

// TestR01SteadyMixedLoad sends R1's mix (60% lists, 20% gets, 10% semantic searches,
// 10% aggregations) at a fixed rate to the binary on PostgreSQL: no 5xx, no transport
// error, and the heap bounded by what the cache may hold.
func TestR01SteadyMixedLoad(t *testing.T) {
	rec := reliability.Target(t, "R1", fmt.Sprintf("%d req/s for %s of 60%% list pages, 20%% gets, 10%% searches (similar incidents, and semantic searches with the latest incidents' embeddings) and 10%% aggregations, to the binary on PostgreSQL with %d synthetic traces",
		steadyRate, steadyDuration, steadyTraces))
	dsn := syntheticDatabase(t, steadyTraces)
	s := startService(t, []string{"CONTEXTAPI_DATABASE_URL=" + dsn}, "--cache-max-bytes", fmt.Sprint(loadCacheBudget))

	watch := watchProcess(t, s, time.Second)
	m := attack(t, "R1", mixedLoad(t, s.base, steadyTraces, 1), steadyRate, steadyDuration)
	samples := watch.stop()
	first, last := samples[0], samples[len(samples)-1]

	rec.Figure("requests", "%d (%.1f/s achieved)", m.Requests, m.Throughput)
	rec.Figure("status codes", "%s", countsText(m.StatusCodes))
	rec.Figure("latency p50 / p99 / max", "%s / %s / %s", m.Latencies.P50.Round(time.Microsecond),
		m.Latencies.P99.Round(time.Microsecond), m.Latencies.Max.Round(time.Microsecond))
	rec.Figure("heap in use before / peak / after", "%.1f / %.1f / %.1f MiB", inMiB(first.heap), inMiB(peakHeap(samples)), inMiB(last.heap))
	rec.Figure("goroutines before / after", "%.0f / %.0f", first.goroutines, last.goroutines)
	assert.Zero(t, fiveHundreds(m), "5xx under steady load: %v", m.StatusCodes)
	assert.Zero(t, transportErrors(m), "transport errors: %v", m.Errors)
	assert.Equal(t, int(m.Requests), statusCount(m, 200), "every answer is a 200: %v", m.StatusCodes)
	assert.Zero(t, watch.misses, "/metrics answered throughout")
	assert.Less(t, peakHeap(samples)-first.heap, float64(loadCacheBudget+32<<20),
		"the heap grows by the cache's budget at most (and a margin for the request buffers)")
}

// syntheticDatabase is a migrated database of its own with rows synthetic traces.
func syntheticDatabase(t *testing.T, rows int) string {
	t.Helper()
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, synthetic.Generate(rows, 1, time.Now().UTC()), postgres.LoadOptions{}))
	return dsn
}

// processWatch samples the service's heap in use and goroutines once per interval
// while a load runs.
type processWatch struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	samples []processSample
	misses  int // scrapes that failed: the service did not answer /metrics
}

type processSample struct {
	heap       float64 // bytes in use
	rss        float64 // bytes resident
	goroutines float64
}

func watchProcess(t *testing.T, s *service, every time.Duration) *processWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	w := &processWatch{cancel: cancel}
	w.sample(s)
	require.Zero(t, w.misses, "the service answers /metrics")
	w.wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				w.sample(s)
			}
		}
	})
	return w
}

func (w *processWatch) sample(s *service) {
	values, err := s.metrics()
	if err != nil {
		w.misses++
		return
	}
	w.samples = append(w.samples, processSample{heap: values["go_memstats_heap_inuse_bytes"],
		rss: values["process_resident_memory_bytes"], goroutines: values["go_goroutines"]})
}

// stop ends the sampling; the samples may be read from then on.
func (w *processWatch) stop() []processSample {
	w.cancel()
	w.wg.Wait()
	return w.samples
}

// peakHeap is the largest heap in use among samples.
func peakHeap(samples []processSample) float64 {
	var peak float64
	for _, s := range samples {
		peak = max(peak, s.heap)
	}
	return peak
}

func inMiB(bytes float64) float64 { return bytes / (1 << 20) }
