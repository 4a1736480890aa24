package contextapi

import (
	"fmt"
	"log/slog"

	"github.com/contextapi/contextapi/internal/adapters/cache"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/redis"
)

// replayCodec encodes the server's remembered answers for the shared tier.
var replayCodec = cache.Codec[*httpapi.Replayable]{
	Encode: (*httpapi.Replayable).MarshalBinary,
	Decode: httpapi.UnmarshalReplayable,
}

// openSharedCache opens the cache's shared tier on Redis when cache_redis_url is set
// (zero options otherwise), with a line for the first log line. It does not connect:
// the cache probes Redis in the background, so a Redis down at start delays nothing.
func openSharedCache(cfg Config, logger *slog.Logger) (cache.SharedOptions, string, func(), error) {
	rc := cfg.CacheRedis
	if rc.URL == "" {
		return cache.SharedOptions{}, "", func() {}, nil
	}
	client, err := redis.Open(rc.URL, redis.Options{Prefix: rc.Prefix, Timeout: rc.Timeout, Logger: logger})
	if err != nil {
		return cache.SharedOptions{}, "", nil, err
	}
	opts := cache.SharedOptions{Tier: client, Timeout: rc.Timeout, LeaseWait: rc.LeaseWait, Logger: logger.With("redis", redis.Describe(rc.URL))}
	desc := fmt.Sprintf(", shared with the other replicas through Redis at %s (keys %s*, calls bounded by %s)",
		redis.Describe(rc.URL), rc.Prefix, rc.Timeout)
	return opts, desc, func() { _ = client.Close() }, nil
}
