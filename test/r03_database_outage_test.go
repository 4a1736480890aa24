package test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/contextapi/contextapi/internal/testkit/reliability"
)

// R3, the database killed under load and back: PostgreSQL goes away (every connection
// cut, new ones refused) while two servers over it take a steady load of cached and
// uncached reads, and comes back. With the default readiness, a server stays ready
// (every replica shares the database: an unready fleet could not serve its cache); with
// readiness_requires_database it is unready within a second and ready again within 5 s
// of the return. Liveness answers throughout, cached keys answer 200 (stale once past
// their TTL), uncached reads get a 503 problem fast, nothing answers 500, the database's
// state shows in /health and contextapi_database_up, and no goroutine is left behind.
func TestR03DatabaseKilledUnderLoad(t *testing.T) {
	outage := reliability.Pick(3*time.Second, 10*time.Second)
	rec := reliability.Target(t, "R3", fmt.Sprintf("cuts PostgreSQL off (connections closed, new ones refused) for %v "+
		"under a steady load of cached and uncached reads on two servers, readiness by default and "+
		"with readiness_requires_database, then lets it back", outage))
	checkNoGoroutineLeft(t, rec)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	dsn := loadDemo(t, now)
	proxy := newProxy(t, hostOf(t, dsn))
	clk := &clock{now: now}
	lenient, _, lenientCache := cachedPostgres(t, proxy.via(t, dsn), clk)
	strict, _, strictCache := cachedPostgresWith(t, proxy.via(t, dsn), clk, cachedConfig{requireDatabase: true})
	lenientURL, strictURL := serveHTTP(t, lenient), serveHTTP(t, strict)

	warm := []string{"/api/v1/incidents?limit=5", "/api/v1/incidents/288", "/api/v1/aggregations/severity"}
	bodies := map[string]string{}
	for _, target := range warm {
		r := lenient.do(t, http.MethodGet, target, "")
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		bodies[target] = string(r.body)
		require.Equal(t, http.StatusOK, strict.do(t, http.MethodGet, target, "").status)
	}
	lenientCache.Wait()
	strictCache.Wait()
	for _, s := range []*stack{lenient, strict} {
		require.Equal(t, http.StatusOK, s.do(t, http.MethodGet, "/health/ready", "").status)
		require.Eventually(t, func() bool { return gaugeOf(t, s.reg, "contextapi_database_up") == 1 }, 5*time.Second, 50*time.Millisecond)
	}

	// The load and the probes run from now until the end of the scenario.
	var unique atomic.Int64 // every uncached read asks for a page never asked before
	uncachedPath := func() string {
		since := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(unique.Add(1)))
		return "/api/v1/incidents?limit=4&since=" + since.Format(time.RFC3339Nano)
	}
	loadFor := time.Second + outage + 4*time.Second
	loads := map[string]*vegeta.Metrics{}
	var loadsMu sync.Mutex
	var loading sync.WaitGroup
	for name, base := range map[string]string{"default": lenientURL, "strict": strictURL} {
		var cached []vegeta.Target
		for _, target := range warm {
			cached = append(cached, vegeta.Target{Method: http.MethodGet, URL: base + target})
		}
		uncached := func(tgt *vegeta.Target) error {
			*tgt = vegeta.Target{Method: http.MethodGet, URL: base + uncachedPath()}
			return nil
		}
		for kind, targeter := range map[string]vegeta.Targeter{"cached": vegeta.NewStaticTargeter(cached...), "uncached": uncached} {
			rate := map[string]int{"cached": 20, "uncached": 10}[kind]
			loading.Go(func() {
				m := attack(t, name+" "+kind, targeter, rate, loadFor)
				loadsMu.Lock()
				loads[name+" "+kind] = m
				loadsMu.Unlock()
			})
		}
	}
	defer loading.Wait()
	probing, stopProbes := context.WithCancel(context.Background())
	probes := newProbes(probing)
	defer func() { stopProbes(); probes.wait() }() // also when the test stops early
	probes.add("default live", lenientURL, func() string { return "/health/live" })
	probes.add("default ready", lenientURL, func() string { return "/health/ready" })
	probes.add("strict live", strictURL, func() string { return "/health/live" })
	probes.add("strict ready", strictURL, func() string { return "/health/ready" })
	probes.add("default uncached", lenientURL, uncachedPath)
	probes.add("strict uncached", strictURL, uncachedPath)
	require.Eventually(t, func() bool {
		return counterSum(t, lenient.reg, "contextapi_http_requests_total") >= 30 &&
			counterSum(t, strict.reg, "contextapi_http_requests_total") >= 30
	}, 10*time.Second, 20*time.Millisecond, "the load flows before the database goes")

	proxy.cut()
	down := time.Now()
	for _, s := range []*stack{lenient, strict} {
		assert.Eventually(t, func() bool { return gaugeOf(t, s.reg, "contextapi_database_up") == 0 }, 3*time.Second, 50*time.Millisecond,
			"the gauge reads 0 within the next check")
	}
	assert.JSONEq(t, `{"status":"healthy","store":"postgresql","database":"down"}`, string(lenient.do(t, http.MethodGet, "/health", "").body))
	verbose := lenient.do(t, http.MethodGet, "/health/ready?verbose", "")
	assert.Equal(t, http.StatusOK, verbose.status, "readiness reports the process, not the shared database")
	assert.Contains(t, string(verbose.body), `"name":"database","status":"failing","required":false`)
	for _, target := range warm {
		r := lenient.do(t, http.MethodGet, target, "")
		assert.Equal(t, http.StatusOK, r.status, target)
		assert.Equal(t, "contextapi; hit", r.header.Get("Cache-Status"), target)
	}
	clk.Advance(2 * time.Minute) // TTL over: the cache must ask the database, which is gone
	for _, target := range warm {
		start := time.Now()
		r := lenient.do(t, http.MethodGet, target, "")
		assert.Equal(t, http.StatusOK, r.status, target)
		assert.Equal(t, "contextapi; hit; detail=stale", r.header.Get("Cache-Status"), target)
		assert.Equal(t, bodies[target], string(r.body))
		assert.Less(t, time.Since(start), 2*time.Second)
	}
	start := time.Now()
	uncached := lenient.do(t, http.MethodGet, "/api/v1/incidents?limit=6", "")
	assert.Equal(t, http.StatusServiceUnavailable, uncached.status)
	assert.Equal(t, "application/problem+json", uncached.header.Get("Content-Type"))
	assert.NotEmpty(t, uncached.header.Get("Retry-After"))
	assert.Less(t, time.Since(start), 2*time.Second, "an outage is reported fast")
	assert.NotContains(t, strings.ToLower(string(uncached.body)), "dial")
	time.Sleep(time.Until(down.Add(outage))) // the outage lasts its set time, whatever happens in it

	proxy.restore()
	up := time.Now()
	require.Eventually(t, func() bool {
		return strict.do(t, http.MethodGet, "/health/ready", "").status == http.StatusOK &&
			lenient.do(t, http.MethodGet, "/api/v1/incidents?limit=6", "").status == http.StatusOK &&
			gaugeOf(t, lenient.reg, "contextapi_database_up") == 1 && gaugeOf(t, strict.reg, "contextapi_database_up") == 1
	}, 30*time.Second, 20*time.Millisecond, "ready and serving again once the database is back (the 5 s bound is checked below)")
	assert.JSONEq(t, `{"status":"healthy","store":"postgresql","database":"up"}`, string(lenient.do(t, http.MethodGet, "/health", "").body))
	loading.Wait()
	stopProbes()
	seen := probes.wait()

	// Readiness: the default server stays ready; the strict one follows the database.
	assert.Zero(t, otherThan(seen["default ready"], http.StatusOK), "default readiness stays 200")
	for _, name := range []string{"default live", "strict live"} {
		assert.Zero(t, otherThan(seen[name], http.StatusOK), "%s: liveness 200 throughout", name)
	}
	unready, ok := firstAnswerAfter(seen["strict ready"], down, http.StatusServiceUnavailable)
	if assert.True(t, ok, "strict readiness turns 503") {
		rec.Figure("strict readiness 503 after", "%d ms", unready.Milliseconds())
		// A readiness result up to a second old is reused by design (api.md §3.6): 1 s,
		// plus a margin for a loaded machine.
		assert.Less(t, unready, 1500*time.Millisecond, "strict readiness 503 within 1 s of the outage")
	}
	ready, ok := settledAfter(seen["strict ready"], up, http.StatusOK)
	if assert.True(t, ok, "strict readiness 200 again, and stays so") {
		rec.Figure("strict readiness 200 after the return", "%d ms", ready.Milliseconds())
		assert.Less(t, ready, 5*time.Second, "strict readiness 200 within 5 s of the return")
	}
	serving, ok := settledAfter(seen["default uncached"], up, http.StatusOK)
	if assert.True(t, ok, "uncached reads 200 again, and stay so") {
		rec.Figure("uncached 200 after the return", "%d ms", serving.Milliseconds())
		assert.Less(t, serving, 5*time.Second, "serving again within 5 s of the return")
	}

	// Uncached reads asked and answered during the outage: each a 503 problem with
	// Retry-After, fast.
	var refused []time.Duration
	for _, name := range []string{"default uncached", "strict uncached"} {
		for _, s := range seen[name] {
			if s.at.Before(down) || !s.at.Add(s.took).Before(up) {
				continue
			}
			refused = append(refused, s.took)
			assert.Equal(t, http.StatusServiceUnavailable, s.status, "%s at %v into the outage", name, s.at.Sub(down))
			assert.Equal(t, "application/problem+json", s.header.Get("Content-Type"))
			assert.NotEmpty(t, s.header.Get("Retry-After"))
		}
	}
	require.Greater(t, len(refused), 10, "uncached reads were tried during the outage")
	slices.Sort(refused)
	p90, slowest := refused[len(refused)*9/10], refused[len(refused)-1]
	rec.Figure("uncached 503 p90/max", "%d/%d ms over %d probes", p90.Milliseconds(), slowest.Milliseconds(), len(refused))
	// The bound holds for nine in ten: a single answer may wait out a stall of a loaded
	// machine (seen up to 1.9 s under a load average of 6 on 2 CPUs), none may hang.
	assert.Less(t, p90, 2*time.Second, "a 503 within 2 s")
	assert.Less(t, slowest, 5*time.Second, "no uncached read hangs")

	// The load: cached keys always 200, uncached ones 200 or 503, never a 500.
	var total, failed, fives int
	for name, m := range loads {
		total += int(m.Requests)
		fives += fiveHundreds(m) - statusCount(m, http.StatusServiceUnavailable)
		assert.Zero(t, transportErrors(m), "%s: every request answered", name)
		if strings.HasSuffix(name, " cached") {
			assert.Equal(t, map[string]int{"200": int(m.Requests)}, m.StatusCodes, "%s: cached keys 200 throughout", name)
			continue
		}
		failed += statusCount(m, http.StatusServiceUnavailable)
		assert.Equal(t, int(m.Requests), statusCount(m, http.StatusOK)+statusCount(m, http.StatusServiceUnavailable),
			"%s: only 200 or 503: %v", name, m.StatusCodes)
		assert.Positive(t, statusCount(m, http.StatusServiceUnavailable), "%s: the outage was seen", name)
		// The 2 s bound of a 503 is checked on the probes above: the load's latencies mix
		// in the first reads after the return, which wait for the pool to connect again.
		assert.Less(t, m.Latencies.Max, 5*time.Second, "%s: no read hangs", name)
		rec.Figure(name+" p99/max", "%d/%d ms", m.Latencies.P99.Milliseconds(), m.Latencies.Max.Milliseconds())
	}
	rec.Figure("requests under load", "%d, %d of them 503 (uncached during the outage)", total, failed)
	rec.Figure("5xx other than 503", "%d", fives)
	assert.Zero(t, fives, "no 500, nor any 5xx but 503")
}
