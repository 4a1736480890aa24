package cache

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type env struct {
	cache *Repository
	repo  *countingRepo
	clock *fakeClock
	reg   *prometheus.Registry
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	e := &env{
		repo:  &countingRepo{next: memory.NewRepository(porttest.Fixture(porttest.FixtureNow))},
		clock: &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		reg:   prometheus.NewRegistry(),
	}
	opts.Now = e.clock.Now
	opts.Registerer = e.reg
	c, err := New(e.repo, opts)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	e.cache = c
	return e
}

func (e *env) requests(result string) float64 {
	return testutil.ToFloat64(e.cache.metrics.requests.WithLabelValues(result))
}

func TestCacheOverMemoryKeepsThePortContract(t *testing.T) {
	porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		c, err := New(memory.NewRepository(events), Options{})
		require.NoError(t, err)
		t.Cleanup(c.Close)
		return c
	})
}

func TestRepeatedReadsAreHits(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	q := domain.ListQuery{Limit: 5}
	first, _, err := e.cache.List(ctx, q)
	require.NoError(t, err)
	for range 3 {
		again, _, err := e.cache.List(ctx, q)
		require.NoError(t, err)
		assert.Equal(t, first, again)
	}
	_, _, err = e.cache.Get(ctx, domain.GetQuery{ID: 3})
	require.NoError(t, err)
	_, _, err = e.cache.Get(ctx, domain.GetQuery{ID: 3})
	require.NoError(t, err)
	_, _, err = e.cache.Aggregate(ctx, domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimSeverity}})
	require.NoError(t, err)
	_, _, err = e.cache.Aggregate(ctx, domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimSeverity}})
	require.NoError(t, err)
	vec := porttest.FamilyVector(porttest.Family(0))
	_, _, err = e.cache.Search(ctx, domain.SemanticQuery{Embedding: vec, Limit: 3, Threshold: 0.5})
	require.NoError(t, err)
	_, _, err = e.cache.Search(ctx, domain.SemanticQuery{Embedding: vec, Limit: 3, Threshold: 0.5})
	require.NoError(t, err)

	assert.EqualValues(t, 1, e.repo.lists.Load())
	assert.EqualValues(t, 1, e.repo.gets.Load())
	assert.EqualValues(t, 1, e.repo.aggregates.Load())
	assert.EqualValues(t, 1, e.repo.searches.Load())
	assert.InDelta(t, 4, e.requests("miss"), 0)
	assert.InDelta(t, 6, e.requests("hit"), 0)
}

func TestDifferentQueriesDoNotShareEntries(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	sev := func(s ...string) domain.ListQuery {
		return domain.ListQuery{Limit: 5, Filter: domain.Filter{Severities: s}}
	}
	for _, q := range []domain.ListQuery{sev("critical"), sev("warning"), sev("critical", "warning"), {Limit: 6}, {Limit: 5, Offset: 1}, {Limit: 5, IncludeEmbedding: true}} {
		_, _, err := e.cache.List(ctx, q)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 6, e.repo.lists.Load())
	a := porttest.FamilyVector(porttest.Family(0))
	b := append([]float32(nil), a...)
	b[383] += 0.001 // differs only in its last component
	_, _, err := e.cache.Search(ctx, domain.SemanticQuery{Embedding: a, Limit: 3})
	require.NoError(t, err)
	_, _, err = e.cache.Search(ctx, domain.SemanticQuery{Embedding: b, Limit: 3})
	require.NoError(t, err)
	assert.EqualValues(t, 2, e.repo.searches.Load(), "vectors are hashed whole")
}

func TestErrorsAreNeverCached(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	e.repo.setErr(errors.New("boom"))
	_, _, err := e.cache.List(ctx, domain.ListQuery{Limit: 5})
	require.Error(t, err)
	e.repo.setErr(nil)
	_, _, err = e.cache.List(ctx, domain.ListQuery{Limit: 5})
	require.NoError(t, err)
	_, _, err = e.cache.Get(ctx, domain.GetQuery{ID: 999})
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, _, err = e.cache.Get(ctx, domain.GetQuery{ID: 999})
	require.ErrorIs(t, err, domain.ErrNotFound)
	assert.EqualValues(t, 2, e.repo.lists.Load())
	assert.EqualValues(t, 2, e.repo.gets.Load(), "not found is not cached either")
}

func TestTTLExpiryOnTheInjectedClock(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute})
	ctx := context.Background()
	q := domain.GetQuery{ID: 5}
	_, _, err := e.cache.Get(ctx, q)
	require.NoError(t, err)
	e.clock.Advance(59 * time.Second)
	_, _, err = e.cache.Get(ctx, q)
	require.NoError(t, err)
	assert.EqualValues(t, 1, e.repo.gets.Load(), "still fresh")
	e.clock.Advance(time.Second)
	_, _, err = e.cache.Get(ctx, q)
	require.NoError(t, err)
	assert.EqualValues(t, 2, e.repo.gets.Load(), "expired at the TTL")
}

func TestStaleAnswersWhileTheRepositoryIsUnavailable(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute, StaleWindow: 10 * time.Minute})
	q := domain.ListQuery{Limit: 3}
	want, _, err := e.cache.List(context.Background(), q)
	require.NoError(t, err)

	e.repo.setErr(domain.ErrUnavailable)
	e.clock.Advance(5 * time.Minute)
	got, read, err := e.cache.List(context.Background(), q)
	require.NoError(t, err, "within the stale window the cached page answers")
	assert.Equal(t, want, got)
	assert.Equal(t, domain.ReadStale, read.Source)
	assert.InDelta(t, 1, e.requests("stale"), 0)

	_, _, err = e.cache.List(context.Background(), domain.ListQuery{Limit: 4})
	assert.ErrorIs(t, err, domain.ErrUnavailable, "nothing cached: the outage shows")

	e.clock.Advance(6 * time.Minute) // 11 minutes: past TTL + stale window
	_, _, err = e.cache.List(context.Background(), q)
	assert.ErrorIs(t, err, domain.ErrUnavailable)

	other := errors.New("syntax error")
	e.repo.setErr(other)
	e.clock.Advance(-10 * time.Minute) // back inside the window, but a non-outage error
	_, _, err = e.cache.List(context.Background(), q)
	assert.ErrorIs(t, err, other, "only an outage falls back to stale data")
}

func TestReadsNameTheStoredVersion(t *testing.T) {
	e := newEnv(t, Options{})
	_, miss, err := e.cache.Get(context.Background(), domain.GetQuery{ID: 1})
	require.NoError(t, err)
	e.cache.Wait()
	_, hit, err := e.cache.Get(context.Background(), domain.GetQuery{ID: 1})
	require.NoError(t, err)
	require.NotEmpty(t, miss.Version)
	assert.Equal(t, miss.Version, hit.Version, "the hit returns the version the miss stored")
	assert.Equal(t, domain.ReadMiss, miss.Source)
	assert.Equal(t, domain.ReadHit, hit.Source)
}

func TestPingPassesThrough(t *testing.T) {
	e := newEnv(t, Options{})
	e.repo.setErr(domain.ErrUnavailable)
	assert.ErrorIs(t, e.cache.Ping(context.Background()), domain.ErrUnavailable)
}

// A repository that stalls (a network that drops packets, a lock) answers nothing before
// the caller's deadline: a stale entry answers then, as during an outage.
func TestStaleAnswersWhenTheRepositoryStallsPastTheDeadline(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute, StaleWindow: 10 * time.Minute})
	q := domain.ListQuery{Limit: 3}
	want, _, err := e.cache.List(context.Background(), q)
	require.NoError(t, err)
	e.cache.Wait()

	release := e.repo.hold()
	defer release()
	e.clock.Advance(2 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	got, read, err := e.cache.List(ctx, q)
	require.NoError(t, err, "the stale entry answers when the deadline passes")
	assert.Equal(t, want, got)
	assert.Equal(t, domain.ReadStale, read.Source)

	ctx, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	_, _, err = e.cache.List(ctx, domain.ListQuery{Limit: 4})
	assert.ErrorIs(t, err, context.DeadlineExceeded, "nothing cached: the deadline shows")
}
