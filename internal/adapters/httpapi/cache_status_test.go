package httpapi

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// switchableRepo answers from a real repository until told the database is down.
type switchableRepo struct {
	ports.Repository
	mu   sync.Mutex
	down bool
}

func (s *switchableRepo) setDown(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

func (s *switchableRepo) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return domain.ErrUnavailable
	}
	return nil
}

func (s *switchableRepo) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, domain.Read, error) {
	if err := s.err(); err != nil {
		return domain.IncidentPage{}, domain.Read{}, err
	}
	return s.Repository.List(ctx, q)
}

func (s *switchableRepo) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, domain.Read, error) {
	if err := s.err(); err != nil {
		return domain.IncidentEvent{}, domain.Read{}, err
	}
	return s.Repository.Get(ctx, q)
}

type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *movableClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func newCachedEnv(t *testing.T) (*testEnv, *switchableRepo, *movableClock, *cache.Repository) {
	t.Helper()
	repo := &switchableRepo{Repository: fixtureRepo()}
	clock := &movableClock{now: porttest.FixtureNow}
	c, err := cache.New(repo, cache.Options{TTL: time.Minute, StaleWindow: 10 * time.Minute, Now: clock.Now})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	env := newEnvAt(t, c, Config{}, clock.Now) // one clock for the service and the cache
	env.srv.CacheResponses(cache.NewResponses[*Replayable](c))
	return env, repo, clock, c
}

func TestCacheStatusSaysHowTheAnswerWasServed(t *testing.T) {
	env, repo, clock, c := newCachedEnv(t)
	first := env.get(t, "/api/v1/incidents?limit=3")
	require.Equal(t, 200, first.Code)
	assert.Equal(t, "contextapi; fwd=miss", first.Header().Get("Cache-Status"))
	c.Wait()

	second := env.get(t, "/api/v1/incidents?limit=3")
	assert.Equal(t, "contextapi; hit", second.Header().Get("Cache-Status"))
	assert.Equal(t, first.Body.String(), second.Body.String())

	repo.setDown(true)
	clock.Advance(5 * time.Minute) // past the TTL, inside the stale window
	stale := env.get(t, "/api/v1/incidents?limit=3")
	assert.Equal(t, 200, stale.Code, "a cached answer survives the outage")
	assert.Equal(t, "contextapi; hit; detail=stale", stale.Header().Get("Cache-Status"))
	assert.Equal(t, first.Body.String(), stale.Body.String())

	uncached := env.get(t, "/api/v1/incidents?limit=4")
	assert.Equal(t, 503, uncached.Code, "what is not cached reports the outage")
	assert.Equal(t, "application/problem+json", uncached.Header().Get("Content-Type"))
	assert.NotEmpty(t, uncached.Header().Get("Retry-After"))

	clock.Advance(10 * time.Minute) // past the stale window too
	assert.Equal(t, 503, env.get(t, "/api/v1/incidents?limit=3").Code)

	repo.setDown(false)
	back := env.get(t, "/api/v1/incidents?limit=3")
	assert.Equal(t, 200, back.Code)
	assert.Equal(t, "contextapi; fwd=miss", back.Header().Get("Cache-Status"))
}

func TestNoCacheStatusWithoutACache(t *testing.T) {
	env := newEnv(t)
	assert.Empty(t, env.get(t, "/api/v1/incidents").Header().Get("Cache-Status"))
	assert.Empty(t, env.get(t, "/api/v1/incidents?limit=0").Header().Get("Cache-Status"), "a refused request read nothing")
}

// countingStore counts the answers replayed.
type countingStore struct {
	ResponseStore
	mu      sync.Mutex
	replays int
}

func (s *countingStore) Replay(request string) (*Replayable, bool) {
	r, ok := s.ResponseStore.Replay(request)
	if ok {
		s.mu.Lock()
		s.replays++
		s.mu.Unlock()
	}
	return r, ok
}

func (s *countingStore) count() int { s.mu.Lock(); defer s.mu.Unlock(); return s.replays }

// sameAnswer checks that a replayed answer is the full path's, byte for byte and
// header for header, but for the request id and how the cache served it.
func sameAnswer(t *testing.T, full, replayed *httptest.ResponseRecorder) {
	t.Helper()
	assert.Equal(t, full.Code, replayed.Code)
	assert.Equal(t, full.Body.String(), replayed.Body.String())
	want, got := full.Header().Clone(), replayed.Header().Clone()
	for _, h := range []string{"X-Request-Id", "Cache-Status"} {
		want.Del(h)
		got.Del(h)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, "contextapi; hit", replayed.Header().Get("Cache-Status"))
}

func TestRepeatedRequestsAreReplayedWhileTheirValuesHold(t *testing.T) {
	env, _, clock, c := newCachedEnv(t)
	store := &countingStore{ResponseStore: cache.NewResponses[*Replayable](c)}
	env.srv.CacheResponses(store)

	first := env.get(t, "/api/v1/incidents/3")
	c.Wait()
	second := env.get(t, "/api/v1/incidents/3")
	assert.Equal(t, 1, store.count(), "the second answer is the first one replayed")
	sameAnswer(t, first, second)

	clock.Advance(2 * time.Minute) // past the TTL: the value is reloaded, a new version
	third := env.get(t, "/api/v1/incidents/3")
	assert.Equal(t, 1, store.count(), "an answer whose value expired is not replayed")
	assert.Equal(t, "contextapi; fwd=miss", third.Header().Get("Cache-Status"))
	assert.Equal(t, first.Body.String(), third.Body.String())
	c.Wait()
	env.get(t, "/api/v1/incidents/3")
	assert.Equal(t, 2, store.count(), "the reloaded value's answer is replayed in turn")

	withEmbedding := env.get(t, "/api/v1/incidents/3?include=embedding")
	assert.Contains(t, withEmbedding.Body.String(), `"embedding":[`)
	assert.Equal(t, 2, store.count(), "another request never gets these bytes")
}

func TestReplayedPagesKeepTheirLinks(t *testing.T) {
	env, _, _, c := newCachedEnv(t)
	store := &countingStore{ResponseStore: cache.NewResponses[*Replayable](c)}
	env.srv.CacheResponses(store)
	first := env.get(t, "/api/v1/incidents?limit=3&severity=critical")
	require.Contains(t, first.Header().Get("Link"), `rel="next"`)
	c.Wait()
	second := env.get(t, "/api/v1/incidents?limit=3&severity=critical")
	assert.Equal(t, 1, store.count())
	sameAnswer(t, first, second)
}

func TestAnswersFromTheClockAreNotReplayedPastTheirWindow(t *testing.T) {
	env, _, clock, c := newCachedEnv(t)
	store := &countingStore{ResponseStore: cache.NewResponses[*Replayable](c)}
	env.srv.CacheResponses(store)
	d := porttest.FixtureNow
	clock.Advance(time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 30, 0, time.UTC).Sub(clock.Now()))

	const trend = "/api/v1/aggregations/trend?days=3"
	before := env.get(t, trend)
	c.Wait()
	sameAnswer(t, before, env.get(t, trend))
	require.Equal(t, 1, store.count())

	clock.Advance(40 * time.Second) // a new UTC day, well within the values' TTL
	after := env.get(t, trend)
	assert.Equal(t, 1, store.count(), "yesterday's trend is not today's")
	assert.Equal(t, "contextapi; fwd=miss", after.Header().Get("Cache-Status"))
	assert.NotEqual(t, before.Body.String(), after.Body.String())
}
