package httpapi

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
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

func (s *switchableRepo) List(ctx context.Context, q domain.ListQuery) (domain.IncidentPage, error) {
	if err := s.err(); err != nil {
		return domain.IncidentPage{}, err
	}
	return s.Repository.List(ctx, q)
}

func (s *switchableRepo) Get(ctx context.Context, q domain.GetQuery) (domain.IncidentEvent, error) {
	if err := s.err(); err != nil {
		return domain.IncidentEvent{}, err
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
	clock := &movableClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, err := cache.New(repo, cache.Options{TTL: time.Minute, StaleWindow: 10 * time.Minute, Now: clock.Now})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	env := newEnvWith(t, c, Config{})
	env.srv.CacheResponses(c.Responses())
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

// countingStore counts how often encoded responses are reused.
type countingStore struct {
	ResponseStore
	mu         sync.Mutex
	gets, hits int
}

func (s *countingStore) Get(request, versions string) ([]byte, bool) {
	body, ok := s.ResponseStore.Get(request, versions)
	s.mu.Lock()
	s.gets++
	if ok {
		s.hits++
	}
	s.mu.Unlock()
	return body, ok
}

func TestEncodedResponsesFollowTheCachedValues(t *testing.T) {
	env, _, clock, c := newCachedEnv(t)
	store := &countingStore{ResponseStore: c.Responses()}
	env.srv.CacheResponses(store)

	first := env.get(t, "/api/v1/incidents/3")
	c.Wait()
	second := env.get(t, "/api/v1/incidents/3")
	assert.Equal(t, first.Body.String(), second.Body.String())
	assert.Equal(t, 1, store.hits, "the second answer reused the first one's bytes")

	clock.Advance(2 * time.Minute) // the value is reloaded: a new version, new bytes
	third := env.get(t, "/api/v1/incidents/3")
	assert.Equal(t, first.Body.String(), third.Body.String())
	assert.Equal(t, 1, store.hits, "bytes of an older version are not reused")

	withEmbedding := env.get(t, "/api/v1/incidents/3?include=embedding")
	assert.Contains(t, withEmbedding.Body.String(), `"embedding":[`)
	assert.Equal(t, 1, store.hits, "another request never gets these bytes")
}
