package cache

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// fleet is several caches (processes) over one repository, sharing one tier and clock.
type fleet struct {
	repo  *countingRepo
	clock *fakeClock
	tier  *fakeShared
	procs []*Repository
}

func newFleet(t testing.TB, n int, opts Options) *fleet {
	t.Helper()
	f := &fleet{
		repo:  &countingRepo{next: memory.NewRepository(porttest.Fixture(porttest.FixtureNow))},
		clock: &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		tier:  newFakeShared(),
	}
	for range n {
		o := opts
		o.Now, o.Registerer = f.clock.Now, prometheus.NewRegistry()
		o.Shared.Tier = f.tier
		if o.Shared.ProbeInterval == 0 {
			o.Shared.ProbeInterval = 5 * time.Millisecond
		}
		c, err := New(f.repo, o)
		require.NoError(t, err)
		t.Cleanup(c.Close)
		require.Eventually(t, c.tier.up.Load, 5*time.Second, time.Millisecond, "the first probe finds the tier")
		f.procs = append(f.procs, c)
	}
	return f
}

func l2(c *Repository, result string) float64 {
	return testutil.ToFloat64(c.tier.requests.WithLabelValues(result))
}

func TestAValueLoadedByOneProcessIsASharedHitOnAnother(t *testing.T) {
	f := newFleet(t, 2, Options{TTL: time.Minute})
	a, b := f.procs[0], f.procs[1]
	ctx := context.Background()
	q := domain.ListQuery{Limit: 3}

	want, readA, err := a.List(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, domain.ReadMiss, readA.Source)
	require.EqualValues(t, 1, f.repo.lists.Load())

	got, readB, err := b.List(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, domain.ReadHit, readB.Source, "no database read")
	assert.Equal(t, readA.Version, readB.Version, "the same version on every process: answers built on one replay on another")
	assert.EqualValues(t, 1, f.repo.lists.Load(), "one load for the fleet")
	assert.InDelta(t, 1, l2(b, "hit"), 0)

	_, readB, err = b.List(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, readA.Version, readB.Version)
	assert.InDelta(t, 1, l2(b, "hit"), 0, "now in b's own tier")
}

func TestSharedEntriesKeepTheirDeadlines(t *testing.T) {
	f := newFleet(t, 2, Options{TTL: time.Minute, StaleWindow: time.Hour})
	a, b := f.procs[0], f.procs[1]
	ctx := context.Background()
	q := domain.GetQuery{ID: 1}
	_, _, err := a.Get(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, time.Minute+time.Hour, time.Duration(f.tier.lastTTL.Load()), "the tier keeps it until its stale deadline")

	f.clock.Advance(50 * time.Second)
	_, read, err := b.Get(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, domain.ReadHit, read.Source, "read from the tier 50s in")
	f.clock.Advance(11 * time.Second)
	_, read, err = b.Get(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, domain.ReadMiss, read.Source, "fresh until the writer's deadline, not 1m after b read it")
	assert.EqualValues(t, 2, f.repo.gets.Load())
}

func TestAStaleSharedEntryAnswersWhileTheDatabaseIsDown(t *testing.T) {
	f := newFleet(t, 2, Options{TTL: time.Minute, StaleWindow: time.Hour})
	ctx := context.Background()
	q := domain.GetQuery{ID: 1}
	want, _, err := f.procs[0].Get(ctx, q)
	require.NoError(t, err)
	f.clock.Advance(2 * time.Minute)
	f.repo.setErr(domain.ErrUnavailable)
	got, read, err := f.procs[1].Get(ctx, q)
	require.NoError(t, err, "b never held it, yet serves it stale from the tier")
	assert.Equal(t, want, got)
	assert.Equal(t, domain.ReadStale, read.Source)
}

func TestAColdStampedeAcrossProcessesLoadsOnce(t *testing.T) {
	const procs, perProc = 3, 64
	f := newFleet(t, procs, Options{TTL: time.Minute, Shared: SharedOptions{LeaseWait: 10 * time.Second}})
	release := f.repo.hold()
	q := domain.ListQuery{Limit: 5}
	var wg sync.WaitGroup
	pages := make([]domain.IncidentPage, procs*perProc)
	for p, c := range f.procs {
		for i := range perProc {
			wg.Go(func() {
				page, _, err := c.List(context.Background(), q)
				assert.NoError(t, err)
				pages[p*perProc+i] = page
			})
		}
	}
	require.Eventually(t, func() bool { return f.repo.lists.Load() == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond) // give any second load the chance to start (it must not)
	release()
	wg.Wait()
	assert.EqualValues(t, 1, f.repo.lists.Load(), "one load for %d requests on %d processes", procs*perProc, procs)
	for _, p := range pages {
		assert.Equal(t, pages[0], p)
	}
	waits := 0.0
	for _, c := range f.procs {
		waits += testutil.ToFloat64(c.tier.waitServed)
	}
	assert.InDelta(t, procs-1, waits, 0, "each other process waited on the lease once and got the value")
}

func TestALeaseHolderThatNeverStoresDelaysOthersByTheBoundOnly(t *testing.T) {
	f := newFleet(t, 1, Options{TTL: time.Minute, Shared: SharedOptions{LeaseWait: 50 * time.Millisecond}})
	c := f.procs[0]
	q := domain.ListQuery{Limit: 5}
	key, ok := listKey(q)
	require.True(t, ok)
	held, err := f.tier.Acquire(context.Background(), leaseKey(key), "a dead process", time.Hour)
	require.NoError(t, err)
	require.True(t, held)
	start := time.Now()
	_, read, err := c.List(context.Background(), q)
	require.NoError(t, err)
	assert.Equal(t, domain.ReadMiss, read.Source)
	assert.Less(t, time.Since(start), time.Second, "loaded after the bounded wait")
	assert.InDelta(t, 1, testutil.ToFloat64(c.tier.waitTimeout), 0)
}

func TestATierThatFailsIsSkippedUntilItAnswers(t *testing.T) {
	f := newFleet(t, 1, Options{TTL: time.Minute, Shared: SharedOptions{ProbeInterval: 10 * time.Millisecond}})
	c := f.procs[0]
	ctx := context.Background()
	f.tier.failing.Store(true)
	_, _, err := c.Get(ctx, domain.GetQuery{ID: 1})
	require.NoError(t, err, "a failing tier fails no read")
	assert.False(t, c.tier.up.Load())
	assert.InDelta(t, 0, testutil.ToFloat64(c.tier.upGauge), 0)
	for id := int64(2); id < 5; id++ {
		_, _, err := c.Get(ctx, domain.GetQuery{ID: id})
		require.NoError(t, err)
	}
	assert.InDelta(t, 3, l2(c, "skipped"), 0, "skipped while down")

	f.tier.failing.Store(false)
	require.Eventually(t, c.tier.up.Load, 5*time.Second, time.Millisecond, "the probe finds it again")
	before := f.tier.count()
	_, _, err = c.Get(ctx, domain.GetQuery{ID: 6})
	require.NoError(t, err)
	assert.Equal(t, before+1, f.tier.count(), "entries are shared again")
}

func TestATierThatStallsAddsAtMostItsTimeout(t *testing.T) {
	const timeout = 20 * time.Millisecond
	f := newFleet(t, 1, Options{TTL: time.Minute, Shared: SharedOptions{Timeout: timeout, ProbeInterval: time.Hour}})
	c := f.procs[0]
	f.tier.stalled.Store(true)
	start := time.Now()
	_, _, err := c.Get(context.Background(), domain.GetQuery{ID: 1})
	require.NoError(t, err)
	first := time.Since(start)
	assert.Less(t, first, timeout+500*time.Millisecond, "one timeout, then the tier is skipped")
	calls := f.tier.calls.Load()
	start = time.Now()
	_, _, err = c.Get(context.Background(), domain.GetQuery{ID: 2})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), timeout, "skipped: no wait at all")
	assert.Equal(t, calls, f.tier.calls.Load(), "not even a call")
}

var stringCodec = Codec[string]{
	Encode: func(s string) ([]byte, error) { return []byte(s), nil },
	Decode: func(b []byte) (string, error) { return string(b), nil },
}

func TestAnAnswerRememberedByOneProcessReplaysOnAnother(t *testing.T) {
	f := newFleet(t, 2, Options{TTL: time.Minute})
	a, b := f.procs[0], f.procs[1]
	_, read, err := a.List(context.Background(), domain.ListQuery{Limit: 3})
	require.NoError(t, err)
	a.Wait()
	var validity domain.Validity
	validity.Add(read)
	NewSharedResponses(a, stringCodec).Remember("/a?limit=3", validity, "answer", 10)

	onB := NewSharedResponses(b, stringCodec)
	got, ok := onB.Replay("/a?limit=3")
	require.True(t, ok, "replayed from the tier, its value fetched along")
	assert.Equal(t, "answer", got)
	gets := l2(b, "hit")
	got, ok = onB.Replay("/a?limit=3")
	require.True(t, ok)
	assert.Equal(t, "answer", got)
	assert.InDelta(t, gets, l2(b, "hit"), 0, "the repeat replays from b's own tier")
	assert.EqualValues(t, 1, f.repo.lists.Load())

	f.clock.Advance(61 * time.Second)
	_, ok = NewSharedResponses(f.procs[1], stringCodec).Replay("/a?limit=3")
	assert.False(t, ok, "past its values' TTL on every process")
	_, ok = onB.Replay("/never")
	assert.False(t, ok)
}
