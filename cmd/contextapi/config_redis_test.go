package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
)

func TestCacheRedisConfig(t *testing.T) {
	clearEnv(t)
	cfg, err := loadConfig(flags(t))
	require.NoError(t, err)
	assert.Equal(t, contextapi.CacheRedisConfig{Prefix: "contextapi:", Timeout: 50 * time.Millisecond, LeaseWait: time.Second},
		cfg.CacheRedis, "no shared tier by default")

	t.Setenv("CONTEXTAPI_CACHE_REDIS_URL", "rediss://:s3cret@redis.cache.svc:6380/1")
	cfg, err = loadConfig(flags(t, "--cache-redis-timeout", "20ms", "--cache-redis-lease-wait", "250ms", "--cache-redis-prefix", "ctx:"))
	require.NoError(t, err)
	assert.Equal(t, contextapi.CacheRedisConfig{URL: "rediss://:s3cret@redis.cache.svc:6380/1", Prefix: "ctx:",
		Timeout: 20 * time.Millisecond, LeaseWait: 250 * time.Millisecond}, cfg.CacheRedis)
}

func TestInvalidCacheRedisConfigNamesTheKey(t *testing.T) {
	tests := []struct {
		name string
		args []string
		key  string
	}{
		{"not redis", []string{"--cache-redis-url", "http://u:s3cret@127.0.0.1:6379"}, "cache_redis_url"},
		{"no host", []string{"--cache-redis-url", "redis://"}, "cache_redis_url"},
		{"bad database number", []string{"--cache-redis-url", "redis://:s3cret@127.0.0.1:6379/db"}, "cache_redis_url"},
		{"without the cache", []string{"--cache-redis-url", "redis://127.0.0.1:6379", "--cache-enabled=false"}, "cache_redis_url"},
		{"zero timeout", []string{"--cache-redis-timeout", "0s"}, "cache_redis_timeout"},
		{"timeout too long", []string{"--cache-redis-timeout", "1m"}, "cache_redis_timeout"},
		{"bad lease wait", []string{"--cache-redis-lease-wait", "a while"}, "cache_redis_lease_wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			_, err := loadConfig(flags(t, tt.args...))
			var cfgErr *contextapi.ConfigError
			require.ErrorAs(t, err, &cfgErr)
			assert.Equal(t, tt.key, cfgErr.Key)
			assert.NotContains(t, err.Error(), "s3cret", "a password never appears in messages")
		})
	}
}
