package test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// R12 settings. The requests draw their ids from soakWorkingSet traces, all requested
// once before the soak starts, so the cache holds the working set from the start and any
// growth after that is a leak, not the cache filling.
var (
	soakDuration = reliability.Pick(20*time.Second, 10*time.Minute)
	soakSampling = reliability.Pick(time.Second, 5*time.Second)
)

const (
	soakRate       = 100 // requests per second
	soakTraces     = 10_000
	soakWorkingSet = 2_000
	soakMemLimit   = 96 << 20
)

// TestR12SoakUnderMemoryLimit runs R1's mix at a steady rate under GOMEMLIMIT for the
// soak's duration: no 5xx, and heap and goroutines as high in the last quarter as in the
// second (the first may still see the cache's entries settle).
func TestR12SoakUnderMemoryLimit(t *testing.T) {
	rec := reliability.Target(t, "R12", fmt.Sprintf("%d req/s of R1's mix for %s to the binary under GOMEMLIMIT=%dMiB (cache budget %dMiB), PostgreSQL with %d traces, ids drawn from %d of them",
		soakRate, soakDuration, soakMemLimit>>20, loadCacheBudget>>20, soakTraces, soakWorkingSet))
	dsn := syntheticDatabase(t, soakTraces)
	s := startService(t, []string{"CONTEXTAPI_DATABASE_URL=" + dsn, fmt.Sprintf("GOMEMLIMIT=%dMiB", soakMemLimit>>20)},
		"--cache-max-bytes", fmt.Sprint(loadCacheBudget))

	requests := newMixedRequests(t, s.base, soakWorkingSet)
	require.Zero(t, warm(requests.all()), "every request of the working set is answered once before the soak")

	watch := watchProcess(t, s, soakSampling)
	m := attack(t, "R12", requests.mix(12), soakRate, soakDuration)
	samples := watch.stop()

	quarter := len(samples) / 4
	second, last := samples[quarter:2*quarter], samples[len(samples)-quarter:]
	rec.Figure("requests", "%d (%.1f/s achieved)", m.Requests, m.Throughput)
	rec.Figure("status codes", "%s", countsText(m.StatusCodes))
	rec.Figure("latency p50 / p99 / max", "%s / %s / %s", m.Latencies.P50.Round(time.Microsecond),
		m.Latencies.P99.Round(time.Microsecond), m.Latencies.Max.Round(time.Microsecond))
	rec.Figure("heap in use, mean of 2nd / last quarter", "%.1f / %.1f MiB", inMiB(meanOf(second, heapOf)), inMiB(meanOf(last, heapOf)))
	rec.Figure("heap in use, peak", "%.1f MiB", inMiB(peakHeap(samples)))
	rec.Figure("resident memory, mean of 2nd / last quarter", "%.1f / %.1f MiB", inMiB(meanOf(second, rssOf)), inMiB(meanOf(last, rssOf)))
	rec.Figure("goroutines, most in 2nd / last quarter", "%.0f / %.0f", maxOf(second, goroutinesOf), maxOf(last, goroutinesOf))

	assert.Zero(t, fiveHundreds(m), "5xx in the soak: %v", m.StatusCodes)
	assert.Zero(t, transportErrors(m), "transport errors: %v", m.Errors)
	assert.Equal(t, int(m.Requests), statusCount(m, 200), "every answer is a 200: %v", m.StatusCodes)
	assert.Zero(t, watch.misses, "/metrics answered throughout")
	if assert.GreaterOrEqual(t, quarter, 3, "enough samples to compare quarters") {
		assert.Less(t, meanOf(last, heapOf), 1.2*meanOf(second, heapOf)+2<<20, "the heap stays flat")
		assert.LessOrEqual(t, maxOf(last, goroutinesOf), maxOf(second, goroutinesOf)+10, "goroutines stay flat")
	}
	assert.Less(t, peakHeap(samples), float64(soakMemLimit), "the heap stays under GOMEMLIMIT")
}

func heapOf(s processSample) float64       { return s.heap }
func rssOf(s processSample) float64        { return s.rss }
func goroutinesOf(s processSample) float64 { return s.goroutines }

func meanOf(samples []processSample, f func(processSample) float64) float64 {
	var sum float64
	for _, s := range samples {
		sum += f(s)
	}
	return sum / float64(max(1, len(samples)))
}

func maxOf(samples []processSample, f func(processSample) float64) float64 {
	var m float64
	for _, s := range samples {
		m = max(m, f(s))
	}
	return m
}
