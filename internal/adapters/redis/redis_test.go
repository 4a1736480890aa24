package redis

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openMini(t *testing.T) (*Client, *miniredis.Miniredis) {
	t.Helper()
	m := miniredis.RunT(t)
	c, err := Open("redis://"+m.Addr()+"/0", Options{Prefix: "t:", Timeout: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, m
}

func TestGetSetWithExpiry(t *testing.T) {
	c, m := openMini(t)
	ctx := context.Background()
	_, found, err := c.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, found, "a miss is no error")

	require.NoError(t, c.Set(ctx, "k", []byte("value"), 10*time.Second))
	got, found, err := c.Get(ctx, "k")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, []byte("value"), got)
	assert.True(t, m.Exists("t:k"), "keys carry the prefix")
	assert.Equal(t, 10*time.Second, m.TTL("t:k"))

	m.FastForward(11 * time.Second)
	_, found, err = c.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, found, "expired")
}

func TestALeaseHasOneHolderAndOnlyItReleases(t *testing.T) {
	c, m := openMini(t)
	ctx := context.Background()
	got, err := c.Acquire(ctx, "lease:k", "a", time.Second)
	require.NoError(t, err)
	assert.True(t, got)
	got, err = c.Acquire(ctx, "lease:k", "b", time.Second)
	require.NoError(t, err)
	assert.False(t, got, "held by a")

	require.NoError(t, c.Release(ctx, "lease:k", "b"))
	assert.True(t, m.Exists("t:lease:k"), "b never held it: nothing released")
	require.NoError(t, c.Release(ctx, "lease:k", "a"))
	assert.False(t, m.Exists("t:lease:k"))

	got, err = c.Acquire(ctx, "lease:k", "b", time.Second)
	require.NoError(t, err)
	assert.True(t, got)
	m.FastForward(2 * time.Second)
	got, err = c.Acquire(ctx, "lease:k", "c", time.Second)
	require.NoError(t, err)
	assert.True(t, got, "a lease whose holder vanished expires")
}

func TestCallsFailWhenRedisIsGone(t *testing.T) {
	c, m := openMini(t)
	ctx := context.Background()
	require.NoError(t, c.Ping(ctx))
	m.Close()
	assert.Error(t, c.Ping(ctx))
	_, _, err := c.Get(ctx, "k")
	assert.Error(t, err)
	assert.Error(t, c.Set(ctx, "k", nil, time.Second))
	_, err = c.Acquire(ctx, "k", "a", time.Second)
	assert.Error(t, err)
}

func TestValidateAndDescribe(t *testing.T) {
	tests := []struct {
		name, url, described string
		valid                bool
	}{
		{"plain", "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", true},
		{"tls with a password", "rediss://user:s3cret@redis.example:6380/2", "rediss://user:xxxxx@redis.example:6380/2", true},
		{"password only", "redis://:s3cret@127.0.0.1:6379", "redis://:xxxxx@127.0.0.1:6379", true},
		{"wrong scheme", "http://127.0.0.1:6379", "http://127.0.0.1:6379", false},
		{"no host", "redis:///0", "redis:///0", false},
		{"bad database", "redis://127.0.0.1:6379/x", "redis://127.0.0.1:6379/x", false},
		{"bad password kept out", "memcached://u:s3cret@h:1", "memcached://u:xxxxx@h:1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.url)
			assert.Equal(t, tt.valid, err == nil, "%v", err)
			if err != nil {
				assert.NotContains(t, err.Error(), "s3cret")
			}
			assert.Equal(t, tt.described, Describe(tt.url))
		})
	}
}
