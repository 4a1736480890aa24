// Package redis is the cache's shared tier on Redis (cache.Shared): plain GET and SET
// with expiry for entries, SET NX PX for the leases that let one process of a fleet
// load a missing value, and a compare-and-delete script to give a lease back.
package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/contextapi/contextapi/internal/adapters/cache"
)

var _ cache.Shared = (*Client)(nil)

// Options tune the client.
type Options struct {
	// Prefix starts every key, so one Redis can hold several deployments' entries (or
	// several tests').
	Prefix string
	// Timeout bounds dialling, reads and writes (default 50ms); the cache bounds each
	// call by its own timeout as well.
	Timeout time.Duration
	// Logger receives go-redis's own messages (failed dials, each time), at debug
	// level: the cache logs once when Redis stops or starts answering.
	Logger *slog.Logger
}

// Client stores the cache's shared entries in Redis.
type Client struct {
	rdb    *goredis.Client
	prefix string
}

// Open parses a redis:// or rediss:// URL (with its database number and credentials)
// and returns a client. It does not connect: the cache's probe does, so a Redis that is
// down at start delays nothing.
func Open(rawURL string, opts Options) (*Client, error) {
	if err := Validate(rawURL); err != nil {
		return nil, err
	}
	o, err := goredis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis: %s: %w", Describe(rawURL), err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 50 * time.Millisecond
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = opts.Timeout, opts.Timeout, opts.Timeout
	o.ContextTimeoutEnabled = true // the cache's per-call deadline wins over the socket timeouts
	o.MaxRetries = -1              // a retry would double the bound a failing call adds
	o.PoolTimeout = opts.Timeout
	o.DialerRetries = 1      // one dial per call: the probe is the retry
	o.DisableIdentity = true // no CLIENT SETINFO round trip on each new connection (Redis < 7.2 refuses it)
	if opts.Logger != nil {
		setLogger.Do(func() { goredis.SetLogger(debugLog{opts.Logger}) })
	}
	return &Client{rdb: goredis.NewClient(o), prefix: opts.Prefix}, nil
}

// go-redis has one logger per process (it logs to stderr by default).
var setLogger sync.Once

// debugLog passes go-redis's messages to slog at debug level.
type debugLog struct{ l *slog.Logger }

func (d debugLog) Printf(ctx context.Context, format string, v ...any) {
	d.l.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

// Validate checks that rawURL is a redis:// or rediss:// URL the client can use.
func Validate(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return errors.New("redis: not a URL")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return fmt.Errorf("redis: %s: the scheme must be redis or rediss", Describe(rawURL))
	}
	if u.Host == "" {
		return fmt.Errorf("redis: %s: no host", Describe(rawURL))
	}
	if _, err := goredis.ParseURL(rawURL); err != nil {
		return fmt.Errorf("redis: %s: %w", Describe(rawURL), err)
	}
	return nil
}

// Describe renders rawURL for logs, its password replaced by "xxxxx".
func Describe(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}

// Close closes the connections.
func (c *Client) Close() error { return c.rdb.Close() }

// Get returns the value of key, found false when there is none.
func (c *Client) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := c.rdb.Get(ctx, c.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis: get: %w", err)
	}
	return b, true, nil
}

// Set stores value under key, expiring after ttl (Redis keeps millisecond precision;
// less than a millisecond is rounded up rather than meaning "no expiry").
func (c *Client) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := c.rdb.Set(ctx, c.prefix+key, value, max(ttl, time.Millisecond)).Err(); err != nil {
		return fmt.Errorf("redis: set: %w", err)
	}
	return nil
}

// Acquire takes the lease key for ttl with SET NX PX; false when another token holds it.
func (c *Client) Acquire(ctx context.Context, key, token string, ttl time.Duration) (bool, error) {
	err := c.rdb.SetArgs(ctx, c.prefix+key, token, goredis.SetArgs{Mode: "NX", TTL: max(ttl, time.Millisecond)}).Err()
	if errors.Is(err, goredis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redis: acquire a lease: %w", err)
	}
	return true, nil
}

// release deletes a lease only while the token given still holds it: a holder whose
// lease expired must not delete the next holder's.
var release = goredis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Release gives the lease key back if token holds it.
func (c *Client) Release(ctx context.Context, key, token string) error {
	if err := release.Run(ctx, c.rdb, []string{c.prefix + key}, token).Err(); err != nil && !errors.Is(err, goredis.Nil) {
		return fmt.Errorf("redis: release a lease: %w", err)
	}
	return nil
}

// Ping checks that Redis answers.
func (c *Client) Ping(ctx context.Context) error {
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}
