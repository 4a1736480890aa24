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

// readVersions reads a list page through the cache and returns the versions it names.
func readVersions(t *testing.T, e *env, q domain.ListQuery) []string {
	t.Helper()
	ctx, report := domain.WithReadReport(context.Background())
	_, err := e.cache.List(ctx, q)
	require.NoError(t, err)
	e.cache.Wait()
	versions, ok := report.VersionList()
	require.True(t, ok)
	return versions
}

func TestReplaysLastWhileTheirValuesAreFresh(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute})
	responses := e.cache.Responses()
	q := domain.ListQuery{Limit: 3}
	versions := readVersions(t, e, q)

	responses.Remember("/a?limit=3", versions, 0, "answer", 10)
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

	reloaded := readVersions(t, e, q)
	require.NotEqual(t, versions, reloaded)
	_, ok = responses.Replay("/a?limit=3")
	assert.False(t, ok, "a reloaded value is a new version: the old answer is not its answer")
}

func TestReplaysStopAtTheirClockBound(t *testing.T) {
	e := newEnv(t, Options{TTL: time.Minute})
	responses := e.cache.Responses()
	versions := readVersions(t, e, domain.ListQuery{Limit: 3})
	responses.Remember("/trend", versions, 10*time.Second, "today's answer", 10)
	e.cache.Wait()

	e.clock.Advance(9 * time.Second)
	_, ok := responses.Replay("/trend")
	assert.True(t, ok)
	e.clock.Advance(time.Second)
	_, ok = responses.Replay("/trend")
	assert.False(t, ok, "the answer's window has moved although its values are fresh")
}

func TestUnkeyableReadsMakeAnswersUnreusable(t *testing.T) {
	e := newEnv(t, Options{})
	ctx, report := domain.WithReadReport(context.Background())
	// The repository refuses it too; what matters is that the read went past the cache.
	_, _ = e.cache.Search(ctx, domain.SemanticQuery{Embedding: []float32{float32(math.NaN())}, Limit: 3})
	assert.Equal(t, int64(1), e.repo.searches.Load())
	_, ok := report.VersionList()
	assert.False(t, ok, "a read that bypassed the cache stores no version to vouch for it")
	source, ok := report.Summary()
	require.True(t, ok)
	assert.Equal(t, domain.ReadMiss, source)
}
