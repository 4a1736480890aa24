package contextapi

import (
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/adapters/redis"
)

// CacheRedisConfig is the cache's optional second tier: a Redis the replicas share,
// behind each one's in-process cache (docs/design.md, "The shared tier").
type CacheRedisConfig struct {
	// URL is a redis:// or rediss:// URL; empty: no shared tier.
	URL string
	// Prefix starts every key the cache writes, so deployments can share one Redis.
	Prefix string
	// Timeout bounds every Redis call; past it Redis is skipped until it answers again.
	Timeout time.Duration
	// LeaseWait bounds how long a replica waits for a value another replica is loading.
	LeaseWait time.Duration
}

// redisKeys are the keys of CacheRedisConfig, after the cache's own in Keys.
var redisKeys = []Key{
	{"cache_redis_url", "", "redis:// or rediss:// URL of a Redis the replicas share as a second cache tier behind their own (empty: none; needs cache_enabled); its password is never logged"},
	{"cache_redis_prefix", "contextapi:", "prefix of every key the cache writes to Redis, so several deployments can share one"},
	{"cache_redis_timeout", "50ms", "bound on every Redis call: past it Redis is skipped (in-process cache alone) until a probe finds it again"},
	{"cache_redis_lease_wait", "1s", "how long a replica missing a value another replica is loading waits for it before querying the database itself"},
}

// parseCacheRedis validates the Redis keys; a URL needs the cache it extends.
func parseCacheRedis(raw map[string]string, cacheEnabled bool) (CacheRedisConfig, error) {
	c := CacheRedisConfig{URL: raw["cache_redis_url"], Prefix: raw["cache_redis_prefix"]}
	var err error
	if c.Timeout, err = time.ParseDuration(raw["cache_redis_timeout"]); err != nil || c.Timeout < time.Millisecond || c.Timeout > 10*time.Second {
		return c, &ConfigError{"cache_redis_timeout", "must be a duration from 1ms to 10s, such as 50ms"}
	}
	if c.LeaseWait, err = time.ParseDuration(raw["cache_redis_lease_wait"]); err != nil || c.LeaseWait < time.Millisecond {
		return c, &ConfigError{"cache_redis_lease_wait", "must be a duration of at least 1ms, such as 1s"}
	}
	if c.URL == "" {
		return c, nil
	}
	if err := redis.Validate(c.URL); err != nil {
		return c, &ConfigError{"cache_redis_url", strings.TrimPrefix(err.Error(), "redis: ")}
	}
	if !cacheEnabled {
		return c, &ConfigError{"cache_redis_url", "is set but cache_enabled is false: the shared tier extends the in-process cache"}
	}
	return c, nil
}
