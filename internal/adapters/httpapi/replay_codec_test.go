package httpapi

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/cache"
)

func TestReplayableRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		give *Replayable
	}{
		{"body and link", &Replayable{body: []byte(`{"incidents":[]}`), route: "/api/v1/incidents", length: []string{"16"},
			link: []string{`</api/v1/incidents?cursor=abc>; rel="next"`}}},
		{"no link", &Replayable{body: []byte(`{"a":1}`), route: "/api/v1/incidents/:id", length: []string{"7"}}},
		{"empty body", &Replayable{body: []byte{}, length: []string{"0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.give.MarshalBinary()
			require.NoError(t, err)
			got, err := UnmarshalReplayable(b)
			require.NoError(t, err)
			assert.Equal(t, tt.give, got)
		})
	}
}

func TestUnmarshalReplayableRefusesTruncated(t *testing.T) {
	b, err := (&Replayable{body: []byte("x"), length: []string{"1"}, link: []string{"<a>; rel=\"next\""}}).MarshalBinary()
	require.NoError(t, err)
	for _, bad := range [][]byte{nil, b[:3], {0xff, 0xff, 0xff}} {
		_, err := UnmarshalReplayable(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// lookupStore counts every lookup, found or not.
type lookupStore struct {
	ResponseStore
	mu      sync.Mutex
	lookups []string
}

func (s *lookupStore) Replay(request string) (*Replayable, bool) {
	s.mu.Lock()
	s.lookups = append(s.lookups, request)
	s.mu.Unlock()
	return s.ResponseStore.Replay(request)
}

// TestOnlyAPIRequestsLookForARememberedAnswer: probes, scrapes and the OpenAPI document
// are never remembered, so they never cost a lookup (with a shared cache, a Redis
// round trip each).
func TestOnlyAPIRequestsLookForARememberedAnswer(t *testing.T) {
	env, _, _, c := newCachedEnv(t)
	store := &lookupStore{ResponseStore: cache.NewResponses[*Replayable](c)}
	env.srv.CacheResponses(store)
	for _, path := range []string{"/health", "/health/ready", "/metrics", "/openapi.json"} {
		env.get(t, path)
	}
	assert.Empty(t, store.lookups)
	env.get(t, "/api/v1/incidents/3")
	assert.Equal(t, []string{"/api/v1/incidents/3"}, store.lookups)
}
