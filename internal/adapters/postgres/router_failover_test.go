package postgres

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// TestRouterReplicaStoppedUnderLoad: eight readers keep reading while one of two
// replicas dies (its connections reset, new ones refused) and comes back. No read
// fails; the dead replica is out of the plans as soon as a read or a check finds it
// gone, and back in them within a check of its return. The figures are the failover
// time (from the cut to the replica marked down) and the slowest read meanwhile.
func TestRouterReplicaStoppedUnderLoad(t *testing.T) {
	requireDatabase(t)
	proxy := forward(t, hostOf(t, pg.ReplicaAdmin(t)))
	same := func(s string) string { return s }
	proxied := func(s string) string { return withHost(t, s, proxy.addr()) }
	// The production interval: a check alone would take up to a second to notice.
	rt := openRouted(t, porttest.Fixture(porttest.FixtureNow), RouterOptions{CheckInterval: time.Second}, same, proxied)
	r := rt.router
	healthy, dying := replicaName(t, r, 1), replicaName(t, r, 2)

	var (
		reads, failed atomic.Int64
		slowest       atomic.Int64 // nanoseconds
		readers       sync.WaitGroup
		stop          = make(chan struct{})
	)
	for range 8 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				_, _, err := r.List(t.Context(), domain.ListQuery{Limit: 5})
				took := int64(time.Since(start))
				for old := slowest.Load(); took > old && !slowest.CompareAndSwap(old, took); old = slowest.Load() {
				}
				reads.Add(1)
				if err != nil {
					failed.Add(1)
					t.Errorf("read failed: %v", err)
				}
			}
		})
	}
	defer func() { close(stop); readers.Wait() }()
	require.Eventually(t, func() bool { return r.Reads(dying, "ok") >= 50 }, 10*time.Second, 5*time.Millisecond,
		"the load reaches both replicas")

	time.Sleep(300 * time.Millisecond)
	before := time.Duration(slowest.Swap(0))
	cut := time.Now()
	proxy.cut()
	require.Eventually(t, func() bool { return stateOf(r, dying) == "down" }, 5*time.Second, time.Millisecond)
	failover := time.Since(cut)
	time.Sleep(time.Second) // the reads already on it when it was marked end
	atCut := r.Reads(dying, "ok") + r.Reads(dying, "unavailable")
	time.Sleep(500 * time.Millisecond) // the load goes on without it
	assert.Equal(t, atCut, r.Reads(dying, "ok")+r.Reads(dying, "unavailable"), "no read is sent to a replica marked down")
	t.Logf("failover: replica marked down %v after the cut; slowest read around it %v (before it %v); reads failed: %d of %d",
		failover.Round(100*time.Microsecond), time.Duration(slowest.Load()).Round(100*time.Microsecond),
		before.Round(100*time.Microsecond), failed.Load(), reads.Load())
	assert.Less(t, failover, 1500*time.Millisecond, "a dead replica is found by the next read, or by the next check at worst")

	proxy.restore(t)
	back := time.Now()
	require.Eventually(t, func() bool { return stateOf(r, dying) == "up" }, 5*time.Second, time.Millisecond,
		"the replica is used again once it answers")
	t.Logf("replica back in the plans %v after it listened again", time.Since(back).Round(time.Millisecond))
	okBefore, lostBefore := r.Reads(dying, "ok"), r.Reads(dying, "unavailable")
	require.Eventually(t, func() bool { return r.Reads(dying, "ok") > okBefore+20 }, 5*time.Second, 5*time.Millisecond,
		"reads reach it again")
	assert.Equal(t, lostBefore, r.Reads(dying, "unavailable"),
		"back, it has no connection left from before it died: no read fails on one")
	assert.Equal(t, "up", stateOf(r, dying))
	assert.Zero(t, failed.Load(), "no read failed")
	assert.Positive(t, r.Reads(healthy, "ok"))
	assert.Zero(t, r.Reads("primary", "ok"), "the other replica took the load: the primary served none")
}

// TestRouterReplicaStalledUnderLoad: a replica that stops answering without closing
// anything (every packet dropped) holds the reads on it only until its check finds it
// gone (a check every second, bounded by a second): they are then abandoned and answered
// by the other replica, well before the 5 s statement timeout. No read fails.
func TestRouterReplicaStalledUnderLoad(t *testing.T) {
	requireDatabase(t)
	proxy := forward(t, hostOf(t, pg.ReplicaAdmin(t)))
	same := func(s string) string { return s }
	proxied := func(s string) string { return withHost(t, s, proxy.addr()) }
	rt := openRouted(t, porttest.Fixture(porttest.FixtureNow), RouterOptions{CheckInterval: time.Second}, same, proxied)
	r := rt.router
	stalling := replicaName(t, r, 2)

	var (
		failed  atomic.Int64
		slowest atomic.Int64
		readers sync.WaitGroup
		stop    = make(chan struct{})
	)
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				_, _, err := r.List(t.Context(), domain.ListQuery{Limit: 5})
				took := int64(time.Since(start))
				for old := slowest.Load(); took > old && !slowest.CompareAndSwap(old, took); old = slowest.Load() {
				}
				if err != nil {
					failed.Add(1)
					t.Errorf("read failed: %v", err)
				}
			}
		})
	}
	defer func() { close(stop); readers.Wait() }()
	require.Eventually(t, func() bool { return r.Reads(stalling, "ok") >= 20 }, 10*time.Second, 5*time.Millisecond)

	stalled := time.Now()
	proxy.stall()
	require.Eventually(t, func() bool { return stateOf(r, stalling) == "down" }, 5*time.Second, time.Millisecond)
	found := time.Since(stalled)
	time.Sleep(time.Second) // the abandoned reads finish elsewhere
	t.Logf("stall: replica marked down %v after packets stopped; slowest read %v; reads abandoned and answered elsewhere: %v",
		found.Round(time.Millisecond), time.Duration(slowest.Load()).Round(time.Millisecond), r.Reads(stalling, "unavailable"))
	assert.Zero(t, failed.Load(), "no read failed")
	assert.Positive(t, r.Reads(stalling, "unavailable"), "reads caught by the stall were moved")
	assert.Less(t, time.Duration(slowest.Load()), 4*time.Second, "no read waits for the statement timeout (5s)")
	// Reset what lived through the stall: pgx gives a connection it closes (and its
	// cancel request) 15 s to say goodbye, which the router's Close would wait for.
	proxy.cut()
}
