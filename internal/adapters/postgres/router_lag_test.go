package postgres

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

func TestReplayLag(t *testing.T) {
	age := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		rep  replay
		want float64
	}{
		{name: "replayed all it received: no lag, however old its last transaction", rep: replay{standby: true, caughtUp: true, age: age(3600)}, want: 0},
		{name: "WAL to replay: the age of the last replayed transaction", rep: replay{standby: true, age: age(2.5)}, want: 2.5},
		{name: "a clock a little ahead of the primary's is no lag", rep: replay{standby: true, age: age(-0.01)}, want: 0},
		{name: "WAL to replay and nothing replayed since start: unknown", rep: replay{standby: true}, want: math.Inf(1)},
		{name: "not a standby: both positions NULL, equal", rep: replay{caughtUp: true}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.rep.lag())
		})
	}
}

// pauseReplay pauses replay on the shared standby until the test ends (always resumed,
// so no later test finds it behind).
func pauseReplay(t *testing.T) (resume func()) {
	t.Helper()
	admin, err := pgx.Connect(t.Context(), pg.ReplicaAdmin(t))
	require.NoError(t, err)
	resume = func() {
		_, err := admin.Exec(context.Background(), "SELECT pg_wal_replay_resume()")
		assert.NoError(t, err, "resume replay on the standby")
	}
	t.Cleanup(func() { resume(); _ = admin.Close(context.Background()) })
	_, err = admin.Exec(t.Context(), "SELECT pg_wal_replay_pause()")
	require.NoError(t, err, "pause replay (the test user must be a superuser)")
	require.Eventually(t, func() bool {
		var s string
		return admin.QueryRow(t.Context(), "SELECT pg_get_wal_replay_pause_state()").Scan(&s) == nil && s == "paused"
	}, 10*time.Second, 20*time.Millisecond, "replay never paused")
	return resume
}

// TestRouterAvoidsALaggingReplica: a standby whose replay is paused while the primary
// writes falls behind; past max_replica_lag reads leave it for the primary, and once
// replay resumes and it catches up they come back to it.
func TestRouterAvoidsALaggingReplica(t *testing.T) {
	requireDatabase(t)
	const bound = time.Second
	rt := openRouted(t, porttest.Fixture(porttest.FixtureNow), RouterOptions{MaxLag: bound})
	r, replica := rt.router, replicaName(t, rt.router, 1)
	require.Equal(t, "up", stateOf(r, replica))
	primary, err := pgx.Connect(t.Context(), rt.primaryDSN)
	require.NoError(t, err)
	defer primary.Close(context.Background())
	_, err = primary.Exec(t.Context(), "CREATE TABLE lag_scratch (id int)")
	require.NoError(t, err)

	resume := pauseReplay(t)
	// The primary keeps writing, so WAL arrives that the standby does not replay.
	writing, stopWriting := context.WithCancel(t.Context())
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for i := 0; writing.Err() == nil; i++ {
			_, _ = primary.Exec(writing, "INSERT INTO lag_scratch VALUES ($1)", i)
			time.Sleep(50 * time.Millisecond)
		}
	}()
	defer func() { stopWriting(); <-wrote }()
	paused := time.Now()
	require.Eventually(t, func() bool { return stateOf(r, replica) == "lagging" }, 10*time.Second, 10*time.Millisecond,
		"the replica is marked lagging once past the bound")
	t.Logf("replica avoided %v after replay paused (bound %v, checks every 50ms)", time.Since(paused).Round(time.Millisecond), bound)
	lag := r.Targets()[1].LagSeconds
	assert.Greater(t, lag, bound.Seconds(), "the lag it was judged on")

	before := r.Reads(replica, "ok")
	for range 5 {
		_, _, err := r.Get(t.Context(), domain.GetQuery{ID: 1})
		require.NoError(t, err)
	}
	assert.Equal(t, before, r.Reads(replica, "ok"), "no read goes to the lagging replica")
	assert.Equal(t, 5.0, r.Reads("primary", "ok"), "the primary serves while no replica is usable")

	resume()
	resumed := time.Now()
	require.Eventually(t, func() bool { return stateOf(r, replica) == "up" }, 10*time.Second, 10*time.Millisecond,
		"the replica is used again once it has caught up")
	t.Logf("replica used again %v after replay resumed", time.Since(resumed).Round(time.Millisecond))
	_, _, err = r.Get(t.Context(), domain.GetQuery{ID: 1})
	require.NoError(t, err)
	assert.Equal(t, before+1, r.Reads(replica, "ok"), "reads go to the replica again")
}

// TestRouterIdlePrimaryKeepsTheReplicaUsable: with nothing to replay, a standby is as
// fresh as the primary, however long ago the last transaction was. The test waits for a
// moment when the standby has replayed all it received and its last replayed transaction
// is older than the bound (the primary idle for that long: other tests share it), checks
// the replica then, and finds it usable, serving the reads.
func TestRouterIdlePrimaryKeepsTheReplicaUsable(t *testing.T) {
	requireDatabase(t)
	const bound = 300 * time.Millisecond
	// Checks far apart: the test checks itself, at the moment it chooses.
	rt := openRouted(t, porttest.Fixture(porttest.FixtureNow), RouterOptions{MaxLag: bound, CheckInterval: time.Hour})
	r := rt.router
	replica := r.replicas[0]

	var idle replay
	require.Eventually(t, func() bool {
		var err error
		idle, err = measure(t.Context(), replica.repo.pools)
		return err == nil && idle.caughtUp && idle.age != nil && *idle.age > bound.Seconds()
	}, time.Minute, 20*time.Millisecond, "the shared server never stayed idle for %v", bound)
	r.check(t.Context(), replica)
	t.Logf("checked with the last replayed transaction %.2fs old (bound %v): %s", *idle.age, bound, stateOf(r, replica.name))
	assert.Equal(t, "up", stateOf(r, replica.name), "an idle primary must not make the replica look late")
	assert.Zero(t, r.Targets()[1].LagSeconds)
	_, _, err := r.Get(t.Context(), domain.GetQuery{ID: 1})
	require.NoError(t, err)
	assert.Equal(t, 1.0, r.Reads(replica.name, "ok"), "the read went to the replica")
}
