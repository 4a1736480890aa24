package kubernetes

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestDecisionsAreReusedForTheirTTL(t *testing.T) {
	for name, tc := range map[string]struct {
		token string
		want  error // nil: allowed
		ttl   time.Duration
		sar   int // access reviews per decision
	}{
		"allowed":         {token: holmesToken, ttl: DefaultAllowedTTL, sar: 1},
		"unauthenticated": {token: unknownTok, want: domain.ErrUnauthenticated, ttl: DefaultDeniedTTL},
		"forbidden":       {token: otherToken, want: domain.ErrForbidden, ttl: DefaultDeniedTTL, sar: 1},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			ctx := context.Background()
			check := func(reviews int, when string) {
				t.Helper()
				p, err := e.a.Authenticate(ctx, tc.token)
				if tc.want == nil {
					require.NoError(t, err, when)
					assert.Equal(t, holmes.Username, p.Name, when)
				} else {
					require.ErrorIs(t, err, tc.want, when)
					assert.Zero(t, p, when)
				}
				tr, sar := e.sent()
				assert.Equal(t, [2]int{reviews, reviews * tc.sar}, [2]int{tr, sar}, when)
				served, _ := e.api.counts()
				assert.Equal(t, reviews, served, when)
			}

			check(1, "first")
			check(1, "again at once")
			e.clock.Advance(tc.ttl - time.Nanosecond)
			check(1, "just before the TTL")
			e.clock.Advance(time.Nanosecond)
			check(2, "at the TTL")
			check(2, "the new decision is reused")
		})
	}
}

func TestDeniedDecisionsExpireBeforeAllowedOnes(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.AllowedTTL, o.DeniedTTL = 5*time.Minute, 30*time.Second })
	ctx := context.Background()
	_, err := e.a.Authenticate(ctx, holmesToken)
	require.NoError(t, err)
	_, err = e.a.Authenticate(ctx, otherToken)
	require.ErrorIs(t, err, domain.ErrForbidden)

	e.clock.Advance(30 * time.Second)
	_, _ = e.a.Authenticate(ctx, holmesToken)
	_, _ = e.a.Authenticate(ctx, otherToken)
	tr, _ := e.sent()
	assert.Equal(t, 3, tr, "only the denial was reviewed again")
}

func TestNegativeTTLTurnsCachingOff(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.AllowedTTL, o.DeniedTTL = -1, -1 })
	for range 3 {
		_, _ = e.a.Authenticate(context.Background(), holmesToken)
		_, _ = e.a.Authenticate(context.Background(), unknownTok)
	}
	tr, _ := e.sent()
	assert.Equal(t, 6, tr)
}

func TestTheCacheIsBounded(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxEntries = 2 })
	ctx := context.Background()
	tokens := []string{"t-0", "t-1", "t-2"}
	for _, tok := range tokens {
		e.api.know(tok, holmes, true)
	}
	reviews := func() int { tr, _ := e.sent(); return tr }

	_, _ = e.a.Authenticate(ctx, tokens[0])
	_, _ = e.a.Authenticate(ctx, tokens[1])
	_, _ = e.a.Authenticate(ctx, tokens[0]) // the most recently used now
	require.Equal(t, 2, reviews())
	_, _ = e.a.Authenticate(ctx, tokens[2]) // evicts t-1, the least recently used
	assert.Equal(t, 2, e.cached())
	_, _ = e.a.Authenticate(ctx, tokens[0])
	assert.Equal(t, 3, reviews(), "t-0 was kept")
	_, _ = e.a.Authenticate(ctx, tokens[1])
	assert.Equal(t, 4, reviews(), "t-1 was evicted")
}

func TestTheCacheIsKeyedByTheTokensDigest(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.a.Authenticate(context.Background(), holmesToken)
	require.NoError(t, err)
	require.Equal(t, 1, e.cached())
	_, ok := e.a.cache.index[keyOf(holmesToken)]
	assert.True(t, ok, "kept under the token's SHA-256, never the token")
}
