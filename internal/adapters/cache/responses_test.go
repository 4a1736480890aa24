package cache

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// readValidity reads a list page through the cache and returns the validity of an
// answer built from it.
func readValidity(t *testing.T, e *env, q domain.ListQuery) domain.Validity {
	t.Helper()
	_, read, err := e.cache.List(context.Background(), q)
	require.NoError(t, err)
	e.cache.Wait()
	var v domain.Validity
	v.Add(read)
	return v
}

func TestReplaysLastWhileTheirValuesAreFresh(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute})
	responses := NewResponses[string](e.cache)
	q := domain.ListQuery{Limit: 3}
	validity := readValidity(t, e, q)

	responses.Remember("/a?limit=3", validity, "answer", 10)
	e.cache.Wait()
	hits := e.requests("hit")
	got, ok := responses.Replay("/a?limit=3")
	require.True(t, ok)
	assert.Equal(t, "answer", got)
	assert.Equal(t, hits+1, e.requests("hit"), "a replay counts the values it vouched for as hits")
	_, ok = responses.Replay("/a?limit=4")
	assert.False(t, ok, "only the request it was remembered for")

	e.clock.Advance(61 * time.Second)
	_, ok = responses.Replay("/a?limit=3")
	assert.False(t, ok, "a value past its TTL vouches for nothing")

	reloaded := readValidity(t, e, q)
	require.NotEqual(t, validity, reloaded)
	_, ok = responses.Replay("/a?limit=3")
	assert.False(t, ok, "a reloaded value is a new version: the old answer is not its answer")
}

func TestReplaysStopAtTheirClockBound(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute})
	responses := NewResponses[string](e.cache)
	validity := readValidity(t, e, domain.ListQuery{Limit: 3})
	validity.ExpireWithin(10 * time.Second)
	responses.Remember("/trend", validity, "today's answer", 10)
	e.cache.Wait()

	e.clock.Advance(9 * time.Second)
	_, ok := responses.Replay("/trend")
	assert.True(t, ok)
	e.clock.Advance(time.Second)
	_, ok = responses.Replay("/trend")
	assert.False(t, ok, "the answer's window has moved although its values are fresh")
}

func TestOnlyReusableAnswersAreRemembered(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute})
	responses := NewResponses[string](e.cache)
	fresh := readValidity(t, e, domain.ListQuery{Limit: 3})

	expired := fresh
	expired.ExpireWithin(0)
	var direct domain.Validity
	direct.Add(domain.Read{})
	stale := fresh
	stale.Add(domain.Read{Source: domain.ReadStale, Version: "x@1"})
	for name, v := range map[string]domain.Validity{
		"nothing read": {}, "already expired": expired, "read past any cache": direct, "partly stale": stale,
	} {
		responses.Remember("/"+name, v, "answer", 10)
		e.cache.Wait()
		_, ok := responses.Replay("/" + name)
		assert.False(t, ok, name)
	}
}

func TestAnotherAnswerTypeIsNotReplayed(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute})
	validity := readValidity(t, e, domain.ListQuery{Limit: 3})
	NewResponses[string](e.cache).Remember("/a", validity, "answer", 10)
	e.cache.Wait()
	_, ok := NewResponses[[]byte](e.cache).Replay("/a")
	assert.False(t, ok)
}

func TestUnkeyableReadsMakeAnswersUnreusable(t *testing.T) {
	e := newEnv(t, Options{})
	// The repository refuses it too; what matters is that the read went past the cache.
	_, read, _ := e.cache.Search(context.Background(), domain.SemanticQuery{Embedding: []float32{float32(math.NaN())}, Limit: 3})
	assert.Equal(t, int64(1), e.repo.searches.Load())
	assert.Equal(t, domain.Read{Source: domain.ReadMiss}, read, "a miss with no stored version to vouch for it")
	var v domain.Validity
	v.Add(read)
	_, _, ok := v.Reusable()
	assert.False(t, ok)
}
