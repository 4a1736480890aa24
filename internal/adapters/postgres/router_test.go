package postgres

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// routed is a router over a fresh database loaded with events on the primary, and its
// URL on the standby once the standby has replayed the load.
type routed struct {
	router     *Router
	primaryDSN string
	replicaDSN string
}

// openRouted loads events into a fresh database and routes over the primary and, for
// each of replicas (their DSNs given the database's URL on the standby), a replica.
// Checks run every 50 ms; the router is returned once every target is up.
// The test holds the standby (pgtest's HoldStandby) until it ends.
func openRouted(t *testing.T, events []domain.IncidentEvent, ropts RouterOptions, replicas ...func(string) string) routed {
	t.Helper()
	// The standby's replay to this test alone (no other package's test pauses it
	// meanwhile), and a skip (or a failure in CI) before anything is created.
	pg.HoldStandby(t)
	dsn := newDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, Load(ctx, dsn, Events(events), LoadOptions{}))
	onReplica := pg.OnReplica(t, dsn)
	if len(replicas) == 0 {
		replicas = []func(string) string{func(s string) string { return s }}
	}
	var dsns []string
	for _, f := range replicas {
		dsns = append(dsns, f(onReplica))
	}
	if ropts.CheckInterval == 0 {
		ropts.CheckInterval = 50 * time.Millisecond
	}
	if ropts.Registerer == nil {
		ropts.Registerer = prometheus.NewRegistry()
	}
	if ropts.Logger == nil {
		ropts.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	r, err := OpenRouter(dsn, dsns, Options{StatementTimeout: 5 * time.Second}, ropts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, r.Close()) })
	// Up, each of them: under a heavy load (a whole test run on the shared server) the
	// standby may first be judged lagging.
	// The test checks again itself, as tests with checks an hour apart need.
	require.Eventually(t, func() bool {
		up := true
		for _, tgt := range r.targets() {
			if tgt.currentState() != stateUp {
				r.check(t.Context(), tgt)
				up = false
			}
		}
		return up
	}, 30*time.Second, 20*time.Millisecond, "every target is checked and up")
	return routed{router: r, primaryDSN: dsn, replicaDSN: onReplica}
}

// testWriter sends the router's log lines to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// stateOf is the named target's state now.
func stateOf(r *Router, name string) string {
	for _, s := range r.Targets() {
		if s.Name == name {
			return s.State
		}
	}
	return "no such target"
}

// replicaName is the target name of the first replica over the shared standby.
func replicaName(t *testing.T, r *Router, i int) string {
	t.Helper()
	targets := r.Targets()
	require.Greater(t, len(targets), i)
	return targets[i].Name
}

// TestRouterContract: the port's whole contract holds through the router, whose reads
// go to the standby (the test database replicates there).
func TestRouterContract(t *testing.T) {
	requireDatabase(t)
	var last *Router
	porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		if last != nil {
			// The previous repository's reads are over: they went to the standby.
			assert.Positive(t, last.Reads(replicaName(t, last, 1), "ok"), "reads reach the replica")
			assert.Zero(t, last.Reads("primary", "ok"), "the primary serves no read while the replica is usable")
		}
		last = openRouted(t, events, RouterOptions{}).router
		require.Equal(t, "up", stateOf(last, replicaName(t, last, 1)))
		return last
	})
}

// TestRouterSpreadsReads: two usable replicas share the reads evenly and the primary
// serves none of them.
func TestRouterSpreadsReads(t *testing.T) {
	requireDatabase(t)
	same := func(s string) string { return s }
	rt := openRouted(t, porttest.Fixture(porttest.FixtureNow), RouterOptions{}, same, same)
	r := rt.router
	for range 40 {
		_, _, err := r.Get(t.Context(), domain.GetQuery{ID: 1})
		require.NoError(t, err)
	}
	first, second := replicaName(t, r, 1), replicaName(t, r, 2)
	assert.Equal(t, 20.0, r.Reads(first, "ok"), first)
	assert.Equal(t, 20.0, r.Reads(second, "ok"), second)
	assert.Zero(t, r.Reads("primary", "ok"))
	for _, name := range []string{first, second} {
		assert.GreaterOrEqual(t, r.Statements(name, "ok"), 20.0, "each read sends a statement to its target")
		assert.Zero(t, r.Statements(name, "error"))
	}
	assert.Zero(t, r.Statements("primary", "ok"), "no statement reaches the primary")
}

// TestRouterRetriesOnTheNextTarget: a replica that dies costs the read that finds it a
// retry on the other replica; it is avoided from then on, and no read fails.
func TestRouterRetriesOnTheNextTarget(t *testing.T) {
	requireDatabase(t)
	proxy := forward(t, hostOf(t, pg.ReplicaAdmin(t)))
	same := func(s string) string { return s }
	proxied := func(s string) string { return withHost(t, s, proxy.addr()) }
	// Checks far apart: the failing read, not a check, finds the replica gone.
	rt := openRouted(t, porttest.Fixture(porttest.FixtureNow), RouterOptions{CheckInterval: time.Hour}, same, proxied)
	r := rt.router
	healthy, dying := replicaName(t, r, 1), replicaName(t, r, 2)
	require.Equal(t, "up", stateOf(r, dying))
	for range 4 { // each replica holds a connection to read on
		_, _, err := r.List(t.Context(), domain.ListQuery{Limit: 5})
		require.NoError(t, err)
	}
	proxy.cut()
	for range 10 {
		page, _, err := r.List(t.Context(), domain.ListQuery{Limit: 5})
		require.NoError(t, err, "a read never fails while another target answers")
		assert.Len(t, page.Incidents, 5)
	}
	assert.Equal(t, "down", stateOf(r, dying))
	assert.Equal(t, 1.0, r.Reads(dying, "unavailable"), "one read found it gone; the others left it out")
	assert.Equal(t, 2.0+10, r.Reads(healthy, "ok"), "the healthy replica took the retried read and every read after")
	assert.Zero(t, r.Reads("primary", "ok"))
}

// closedPort is a loopback address nothing listens on: connections are refused.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestRouterFallsBackToThePrimary: with its only replica unreachable, reads go to the
// primary, and Ping (readiness) still succeeds.
func TestRouterFallsBackToThePrimary(t *testing.T) {
	requireDatabase(t)
	dsn := newDatabase(t)
	require.NoError(t, Load(t.Context(), dsn, Events(porttest.Fixture(porttest.FixtureNow)), LoadOptions{}))
	r, err := OpenRouter(dsn, []string{withHost(t, dsn, closedPort(t))}, Options{},
		RouterOptions{CheckInterval: 20 * time.Millisecond, Registerer: prometheus.NewRegistry()})
	require.NoError(t, err)
	defer r.Close()
	require.Eventually(t, func() bool { return stateOf(r, replicaName(t, r, 1)) == "down" }, 5*time.Second, 10*time.Millisecond)
	_, _, err = r.Get(t.Context(), domain.GetQuery{ID: 1})
	require.NoError(t, err)
	assert.Equal(t, 1.0, r.Reads("primary", "ok"))
	assert.NoError(t, r.Ping(t.Context()))
}
