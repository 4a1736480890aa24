package test

import (
	"io"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// The network to PostgreSQL stalls (connections stay open, nothing passes) or delays
// every packet by 3 s, as the probe found it: with --statement-timeout 1s, requests hung
// 12–100 s. Now every request
// has the service's own deadline (statement timeout + 1 s): a cached answer past its TTL
// is served stale, an uncached one is a 503 problem, both within the deadline.
func TestStalledNetworkEndsWithinTheRequestDeadline(t *testing.T) {
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(porttest.Fixture(porttest.FixtureNow)), postgres.LoadOptions{}))
	proxy := newProxy(t, hostOf(t, dsn))
	bin := buildBinary(t)
	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--drain-delay", "0s", "--statement-timeout", "1s",
		"--cache-ttl", "1s")
	cmd.Env = append(cleanEnv(), "CONTEXTAPI_DATABASE_URL="+proxy.via(t, dsn))
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	get := func(path string) (int, string, time.Duration) {
		start := time.Now()
		res, err := (&http.Client{Timeout: 60 * time.Second}).Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error(), time.Since(start)
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, res.Body)
		return res.StatusCode, res.Header.Get("Cache-Status"), time.Since(start)
	}
	require.Eventually(t, func() bool { s, _, _ := get("/api/v1/incidents?limit=2"); return s == 200 },
		10*time.Second, 50*time.Millisecond)

	for _, fault := range []struct {
		name  string
		start func()
	}{
		{"open connections stall", proxy.stall},
		{"connections break, new ones stall", proxy.breakAndStall},
		{"connections break, new ones delay every packet 3s", func() { proxy.breakAndDelay(3 * time.Second) }},
	} {
		t.Run(fault.name, func(t *testing.T) {
			fault.start()
			defer proxy.restore()
			time.Sleep(1100 * time.Millisecond) // past the cache TTL: the page must be asked for again
			const deadline = 2 * time.Second
			status, cacheStatus, took := get("/api/v1/incidents?limit=2")
			assert.Equal(t, 200, status)
			assert.Equal(t, "contextapi; hit; detail=stale", cacheStatus)
			assert.Less(t, took, deadline+time.Second, "stale within the deadline")

			status, _, took = get("/api/v1/incidents?limit=7")
			assert.Equal(t, 503, status)
			assert.Less(t, took, deadline+time.Second, "a 503 within the deadline, not a hang")

			proxy.restore()
			require.Eventually(t, func() bool { s, _, _ := get("/api/v1/incidents?limit=2"); return s == 200 },
				15*time.Second, 100*time.Millisecond, "back once the network flows")
			require.Eventually(t, func() bool { _, cs, _ := get("/api/v1/incidents?limit=2"); return cs == "contextapi; hit" },
				15*time.Second, 100*time.Millisecond, "cached afresh")
		})
	}
}
