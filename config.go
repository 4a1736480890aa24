// Package contextapi is the composition root: configuration and the Wire injector that
// assembles the service from its adapters.
package contextapi

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

// Config is the validated configuration of every command. Its keys (YAML names, and the
// CONTEXTAPI_-prefixed environment variables and flags derived from them) are listed in
// Keys.
type Config struct {
	// Addr is the HTTP listen address of serve.
	Addr string
	// DatabaseURL selects PostgreSQL; empty means the embedded demo store.
	DatabaseURL string
	// LogLevel and LogFormat shape the slog output.
	LogLevel  slog.Level
	LogFormat string
	// ShutdownTimeout bounds how long in-flight requests may take to finish on shutdown.
	ShutdownTimeout time.Duration
	// DrainDelay is how long readiness reports 503 before the listener closes, so load
	// balancers stop sending traffic first.
	DrainDelay time.Duration
	// CursorSecret signs list cursors; replicas behind one load balancer share it.
	CursorSecret string
	// StatementTimeout bounds every database statement on the server.
	StatementTimeout time.Duration
	// DBMaxOpenConns bounds the connection pool.
	DBMaxOpenConns int
	// HNSWEfSearch is hnsw.ef_search, the candidate list of vector searches; 0 chooses
	// it from the traces table's size.
	HNSWEfSearch int
	// CacheEnabled puts the read cache in front of the repository.
	CacheEnabled bool
	// CacheTTL is how long a cached answer is served without asking the repository.
	CacheTTL time.Duration
	// CacheStaleWindow is how long past its TTL a cached answer may still be served
	// while the database is unavailable.
	CacheStaleWindow time.Duration
	// CacheMaxBytes bounds the memory the cache holds.
	CacheMaxBytes int64
}

// Key describes one configuration key.
type Key struct {
	Name    string // YAML name; env CONTEXTAPI_<NAME>; flag --<name with dashes>
	Default string
	Usage   string
}

// Keys lists every configuration key with its default, in documentation order.
var Keys = []Key{
	{"addr", ":8080", "HTTP listen address (serve)"},
	{"database_url", "", "PostgreSQL URL or key=value DSN; empty serves the built-in demo data from memory (DATABASE_URL is honoured too)"},
	{"log_level", "info", "debug, info, warn or error"},
	{"log_format", "text", "text or json"},
	{"shutdown_timeout", "20s", "how long in-flight requests may take to finish on shutdown"},
	{"drain_delay", "5s", "how long readiness answers 503 before the listener closes on shutdown"},
	{"cursor_secret", "contextapi-default-cursor-key", "key signing list cursors; set the same value on every replica"},
	{"statement_timeout", "5s", "bound on every database statement, enforced by the server"},
	{"db_max_open_conns", "16", "most connections the pool opens"},
	{"hnsw_ef_search", "auto", "candidates a vector search keeps (hnsw.ef_search), 1 to 1000: more is slower and finds more true neighbours; auto chooses by the table's size"},
	{"cache_enabled", "true", "serve repeated reads from the in-process cache"},
	{"cache_ttl", "5m", "how long a cached answer is served without asking the database"},
	{"cache_stale_window", "15m", "how long past its TTL a cached answer may still be served while the database is unavailable (0s: never)"},
	{"cache_max_bytes", "128MiB", "memory bound of the cache (bytes, or with KiB, MiB, GiB)"},
}

// ConfigError names the key whose value is invalid.
type ConfigError struct {
	Key    string
	Reason string
}

// Error renders the key and why its value was refused.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("invalid configuration: %s: %s", e.Key, e.Reason)
}

// ParseConfig validates raw key → value strings (defaults already merged in).
func ParseConfig(raw map[string]string) (Config, error) {
	c := Config{
		Addr:         raw["addr"],
		DatabaseURL:  raw["database_url"],
		LogFormat:    raw["log_format"],
		CursorSecret: raw["cursor_secret"],
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		return c, &ConfigError{"addr", "must be host:port, e.g. :8080"}
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return c, &ConfigError{"addr", "port must be a number from 0 to 65535"}
	}
	if err := c.LogLevel.UnmarshalText([]byte(raw["log_level"])); err != nil {
		return c, &ConfigError{"log_level", "must be debug, info, warn or error"}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, &ConfigError{"log_format", "must be text or json"}
	}
	var err error
	if c.ShutdownTimeout, err = positiveDuration(raw, "shutdown_timeout"); err != nil {
		return c, err
	}
	if c.ShutdownTimeout == 0 {
		return c, &ConfigError{"shutdown_timeout", "must be greater than zero"}
	}
	if c.DrainDelay, err = positiveDuration(raw, "drain_delay"); err != nil {
		return c, err
	}
	if c.DatabaseURL != "" {
		if err := postgres.ValidateDSN(c.DatabaseURL); err != nil {
			return c, &ConfigError{"database_url", "is not a valid PostgreSQL URL or key=value DSN"}
		}
	}
	if c.StatementTimeout, err = positiveDuration(raw, "statement_timeout"); err != nil {
		return c, err
	}
	if c.StatementTimeout < time.Millisecond {
		return c, &ConfigError{"statement_timeout", "must be at least 1ms"}
	}
	if n, err := strconv.Atoi(raw["db_max_open_conns"]); err != nil || n < 1 || n > 1000 {
		return c, &ConfigError{"db_max_open_conns", "must be an integer from 1 to 1000"}
	} else {
		c.DBMaxOpenConns = n
	}
	if v := raw["hnsw_ef_search"]; v != "auto" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return c, &ConfigError{"hnsw_ef_search", "must be auto or an integer from 1 to 1000"}
		}
		c.HNSWEfSearch = n
	}
	if c.CacheEnabled, err = strconv.ParseBool(raw["cache_enabled"]); err != nil {
		return c, &ConfigError{"cache_enabled", "must be true or false"}
	}
	if c.CacheTTL, err = positiveDuration(raw, "cache_ttl"); err != nil || c.CacheTTL == 0 {
		return c, &ConfigError{"cache_ttl", "must be a duration greater than zero, such as 5m"}
	}
	if c.CacheStaleWindow, err = positiveDuration(raw, "cache_stale_window"); err != nil {
		return c, err
	}
	if c.CacheMaxBytes, err = parseBytes(raw["cache_max_bytes"]); err != nil || c.CacheMaxBytes < 1<<20 {
		return c, &ConfigError{"cache_max_bytes", "must be a size of at least 1MiB, such as 128MiB"}
	}
	if c.CursorSecret == "" {
		return c, &ConfigError{"cursor_secret", "must not be empty"}
	}
	return c, nil
}

func positiveDuration(raw map[string]string, key string) (time.Duration, error) {
	d, err := time.ParseDuration(raw[key])
	if err != nil || d < 0 {
		return 0, &ConfigError{key, "must be a non-negative duration such as 5s or 1m"}
	}
	return d, nil
}

// parseBytes reads a size: a number of bytes, optionally with KiB, MiB or GiB.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		factor int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}, {"", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil || n < 0 || n > (1<<62)/u.factor {
				return 0, fmt.Errorf("invalid size %q", s)
			}
			return n * u.factor, nil
		}
	}
	return 0, fmt.Errorf("invalid size %q", s)
}
