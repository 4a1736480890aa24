package test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/admission"
	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/dataset/synthetic"
	"github.com/contextapi/contextapi/internal/domain"
)

// Overload bench settings: admission at its default of twice the pool and queue_timeout
// at its default, over 20k synthetic traces, every semantic search exact (each compares
// every row: tens of milliseconds of one CPU, the expensive kind). The pool is 1 because
// PostgreSQL gets one CPU here (separateCPUs): more concurrent scans than CPUs only
// queue inside the database.
const (
	overloadRows          = 20_000
	overloadPool          = 1
	overloadQueueTimeout  = 25 * time.Millisecond
	overloadCapacityPhase = 4 * time.Second
	overloadFloodPhase    = 6 * time.Second
	overloadFloodFactor   = 10
	overloadCachedWorkers = 4
	overloadCachedTarget  = "/api/v1/incidents?limit=10"
)

// BenchmarkOverload floods an uncached expensive endpoint (semantic search, a new vector
// each time) at 10× the capacity it measures first, with cached requests mixed in, and
// reports how the service sheds: the share of 200, 429 and 503 answers (nothing else
// may come back), the p99 of the 503s (target ≤ 50 ms), the p99 of the 200s against the
// same endpoint at capacity (target ≤ 2×), the peak RSS of the process (server and load
// generator), and the cached requests' throughput against their unloaded throughput
// (target ≥ 0.8). Run once:
//
//	go test -run '^$' -bench BenchmarkOverload -benchtime 1x ./test/
func BenchmarkOverload(b *testing.B) {
	dsn := pg.NewDatabase(b)
	cpus := separateCPUs(b, dsn)
	now := time.Now().UTC()
	require.NoError(b, postgres.Load(b.Context(), dsn, synthetic.Generate(overloadRows, 1, now), postgres.LoadOptions{}))
	reg := prometheus.NewRegistry()
	repo, err := postgres.Open(dsn, postgres.Options{MaxOpenConns: overloadPool, Metrics: postgres.NewMetrics(reg),
		ExactSearchRows: 10 * overloadRows})
	require.NoError(b, err)
	defer repo.Close()
	gated, err := admission.New(repo, admission.Options{MaxConcurrent: 2 * overloadPool, QueueTimeout: overloadQueueTimeout, Registerer: reg})
	require.NoError(b, err)
	cached, err := cache.New(gated, cache.Options{Registerer: reg})
	require.NoError(b, err)
	defer cached.Close()
	svc := app.NewService(cached, time.Now, app.NewCursorCodec([]byte("overload")))
	srv := httpapi.NewServer(svc, reg, slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{})
	srv.CacheResponses(cache.NewResponses[*httpapi.Replayable](cached))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4096, MaxConnsPerHost: 0}, Timeout: 30 * time.Second}

	for b.Loop() {
		r := runOverload(b, client, ts.URL)
		r.dbMean = meanSeconds(b, reg, "contextapi_db_query_duration_seconds")
		b.ReportMetric(r.capacity, "capacity_req/s")
		b.ReportMetric(r.share[200], "share_200")
		b.ReportMetric(r.share[429], "share_429")
		b.ReportMetric(r.share[503], "share_503")
		b.ReportMetric(r.share[0], "share_other")
		b.ReportMetric(r.p99Shed.Seconds()*1000, "p99_503_ms")
		b.ReportMetric(r.p99Flood.Seconds()*1000, "p99_200_flood_ms")
		b.ReportMetric(r.p99Capacity.Seconds()*1000, "p99_200_capacity_ms")
		b.ReportMetric(r.cachedRatio, "cached_throughput_ratio")
		b.ReportMetric(float64(peakRSS(0))/(1<<20), "peak_rss_MiB")
		b.Logf("%s; load average %s; statements %s on average; capacity %.0f req/s; flood %d requests: %v; p99 503 %s; p99 200 %s (at capacity %s, %.2f×); cached %.0f → %.0f req/s (%.2f×); peak RSS %d MiB",
			cpus, loadAverage(), r.dbMean, r.capacity, r.sent, r.counts, r.p99Shed, r.p99Flood, r.p99Capacity,
			float64(r.p99Flood)/float64(r.p99Capacity), r.cachedIdle, r.cachedFlood, r.cachedRatio, peakRSS(0)>>20)
		if r.share[0] > 0 {
			b.Errorf("answers other than 200, 429 and 503 under overload: %v", r.counts)
		}
	}
}

type overloadResult struct {
	capacity, cachedIdle, cachedFlood, cachedRatio float64
	sent                                           int
	counts                                         map[int]int
	share                                          map[int]float64
	p99Shed, p99Flood, p99Capacity                 time.Duration
	dbMean                                         time.Duration
}

// meanSeconds is the mean of a histogram's observations, all label values together.
func meanSeconds(b *testing.B, reg *prometheus.Registry, name string) time.Duration {
	families, err := reg.Gather()
	require.NoError(b, err)
	var sum float64
	var count uint64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			sum += m.GetHistogram().GetSampleSum()
			count += m.GetHistogram().GetSampleCount()
		}
	}
	if count == 0 {
		return 0
	}
	return time.Duration(sum / float64(count) * float64(time.Second))
}

func runOverload(b *testing.B, client *http.Client, base string) overloadResult {
	var r overloadResult
	bodies := newSearchBodies(0.1)
	// The cached request is answered from memory from here on.
	require.Equal(b, http.StatusOK, mustGet(b, client, base+overloadCachedTarget))

	r.capacity, r.p99Capacity = measureCapacity(client, base, bodies, 2*overloadPool, overloadCapacityPhase)
	r.cachedIdle = cachedThroughput(b, client, base, overloadCapacityPhase/2, nil)

	// Flood: searches arrive at 10× capacity whatever the answers, each on its own.
	rate := overloadFloodFactor * r.capacity
	interval := time.Duration(float64(time.Second) / rate)
	r.counts = map[int]int{}
	var mu sync.Mutex
	var shed, served []time.Duration
	stop := make(chan struct{})
	var cachedDone sync.WaitGroup
	cachedDone.Go(func() { r.cachedFlood = cachedThroughput(b, client, base, overloadFloodPhase, stop) })
	start := time.Now()
	var flood sync.WaitGroup
	for i := 0; time.Since(start) < overloadFloodPhase; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		r.sent++
		flood.Go(func() {
			status, d := search(client, base, bodies.next())
			mu.Lock()
			defer mu.Unlock()
			switch status {
			case http.StatusOK:
				served = append(served, d)
			case http.StatusServiceUnavailable:
				shed = append(shed, d)
			case http.StatusTooManyRequests:
			default:
				status = 0
			}
			r.counts[status]++
		})
	}
	close(stop)
	flood.Wait()
	cachedDone.Wait()
	r.share = map[int]float64{}
	for status, n := range r.counts {
		r.share[status] = float64(n) / float64(r.sent)
	}
	r.p99Shed, r.p99Flood = percentile(shed, 0.99), percentile(served, 0.99)
	r.cachedRatio = r.cachedFlood / r.cachedIdle
	return r
}

// searchBodies hands out semantic search bodies, each with a vector of its own, cheaply:
// the load generator shares the service's CPU and must cost it little. A few random
// vectors are encoded once; a body is one of them with its first coordinate replaced by
// a value no other body of that vector has, so no body repeats (none is a cache hit).
// Random vectors match nothing closely, so every search compares many rows and returns
// little: the cost is the database's.
type searchBodies struct {
	tails [][]byte // a vector's coordinates after the first, and the rest of the body
	n     atomic.Int64
}

// searchVectors is how many random vectors the bodies vary; searchVariants how many
// first coordinates each takes, 1e-4 apart (distinct as float32) in [-1, 1).
const (
	searchVectors  = 16
	searchVariants = 20_000
)

// newSearchBodies makes bodies of searches for the 10 incidents at least threshold
// similar.
func newSearchBodies(threshold float64) *searchBodies {
	s := &searchBodies{tails: make([][]byte, searchVectors)}
	for i := range s.tails {
		var b bytes.Buffer
		for range domain.EmbeddingDimensions - 1 {
			b.WriteByte(',')
			b.WriteString(strconv.FormatFloat(rand.NormFloat64(), 'f', 6, 64))
		}
		fmt.Fprintf(&b, `],"limit":10,"threshold":%g}`, threshold)
		s.tails[i] = b.Bytes()
	}
	return s
}

// next is the next body; after searchVectors × searchVariants of them they repeat.
func (s *searchBodies) next() []byte {
	n := int(s.n.Add(1))
	tail := s.tails[n%searchVectors]
	first := -1 + float64(n/searchVectors%searchVariants)*1e-4
	body := make([]byte, 0, len(tail)+32)
	body = append(body, `{"embedding":[`...)
	body = strconv.AppendFloat(body, first, 'f', 4, 64)
	return append(body, tail...)
}

// search asks for the incidents nearest to body's vector: never cached, every row
// compared. It returns the status (0 for a transport failure) and the latency.
func search(client *http.Client, base string, body []byte) (int, time.Duration) {
	start := time.Now()
	res, err := client.Post(base+"/api/v1/search/semantic", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, time.Since(start)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode, time.Since(start)
}

// measureCapacity runs searches back to back on workers (as many as the service admits
// at once) for d and returns how many a second were answered 200, and their p99.
func measureCapacity(client *http.Client, base string, bodies *searchBodies, workers int, d time.Duration) (float64, time.Duration) {
	var lat []time.Duration
	var mu sync.Mutex
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				status, took := search(client, base, bodies.next())
				if status == http.StatusOK {
					mu.Lock()
					lat = append(lat, took)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return float64(len(lat)) / d.Seconds(), percentile(lat, 0.99)
}

// cachedThroughput runs cached GETs back to back on a few workers for d (or until stop
// closes) and returns their rate.
func cachedThroughput(b *testing.B, client *http.Client, base string, d time.Duration, stop <-chan struct{}) float64 {
	var done atomic.Int64
	var failed atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range overloadCachedWorkers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				select {
				case <-stop:
					return
				default:
				}
				if mustGet(b, client, base+overloadCachedTarget) == http.StatusOK {
					done.Add(1)
				} else {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		b.Errorf("%d cached requests failed under load", failed.Load())
	}
	return float64(done.Load()) / time.Since(start).Seconds()
}

func mustGet(b *testing.B, client *http.Client, url string) int {
	res, err := client.Get(url)
	if err != nil {
		b.Errorf("GET %s: %v", url, err)
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// peakRSS is the peak resident set (VmHWM) of process pid (0: this one), in bytes; 0
// where /proc does not tell.
func peakRSS(pid int) int64 {
	proc := "self"
	if pid != 0 {
		proc = strconv.Itoa(pid)
	}
	body, err := os.ReadFile("/proc/" + proc + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func loadAverage() string {
	body, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(body))[:3], " ")
}
