package cache

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestKeysAreVersionedAndCanonical(t *testing.T) {
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, ok := listKey(domain.ListQuery{Limit: 10, Filter: domain.Filter{Severities: []string{"critical", "warning"}, Since: &since}})
	assert.True(t, ok)
	b, _ := listKey(domain.ListQuery{Limit: 10, Filter: domain.Filter{Severities: []string{"critical", "warning"}, Since: &since}})
	assert.Equal(t, a, b, "equal queries share a key")
	assert.Regexp(t, `^incidents:v2:list:[0-9a-f]{32}$`, a)
	c, _ := listKey(domain.ListQuery{Limit: 10, Filter: domain.Filter{Severities: []string{"critical"}, Since: &since}})
	assert.NotEqual(t, a, c)
	assert.Equal(t, "incident:v2:id:42:emb:false", getKey(domain.GetQuery{ID: 42}))
	g, _ := aggregateKey(domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimDay}})
	l, _ := listKey(domain.ListQuery{})
	assert.NotEqual(t, g[:20], l[:20], "kinds never share a key space")
	_, ok = searchKey(domain.SemanticQuery{Embedding: []float32{float32(math.NaN())}})
	assert.False(t, ok, "a query JSON cannot encode bypasses the cache")
	assert.Equal(t, "incident:v2:id:42:emb:false", versionKey("incident:v2:id:42:emb:false@1z"))
	assert.NotEqual(t, replayKey("incident:v2:id:42:emb:false"), "incident:v2:id:42:emb:false", "replays have a key space of their own")
}
