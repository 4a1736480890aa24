// Package contextapi is the composition root: configuration and the Wire injector that
// assembles the service from its adapters.
package contextapi

import (
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of every command. Its keys (YAML names, and the
// CONTEXTAPI_-prefixed environment variables and flags derived from them) are listed in
// Keys.
type Config struct {
	// Addr is the HTTP listen address of serve.
	Addr string
	// MetricsAddr, when set, serves /metrics on a listener of its own, and only there.
	MetricsAddr string
	// DatabaseURL selects PostgreSQL; empty means the PG* variables of LibpqVariables,
	// or, without those either, no database.
	DatabaseURL string
	// DatabasePasswordFile holds the database password, read whenever a connection opens.
	DatabasePasswordFile string
	// LibpqVariables names the libpq variables (PGHOST, ...) set in the environment that
	// select a database when DatabaseURL is empty.
	LibpqVariables []string
	// Demo asks for the built-in demo data on purpose.
	Demo bool
	// InKubernetes is true when the process runs in a Kubernetes pod
	// (KUBERNETES_SERVICE_HOST is set), where demo data is never served unasked.
	InKubernetes bool
	// Unrecognised names the CONTEXTAPI_ variables set in the environment that are not
	// configuration keys (a misspelling, most likely).
	Unrecognised []string
	// ReadinessRequiresDatabase makes readiness fail while the database does not answer.
	ReadinessRequiresDatabase bool
	// LogLevel and LogFormat shape the slog output. LogFormat is "text" or "json"
	// ("auto" is resolved by the command, which knows whether stderr is a terminal).
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
	// RequestTimeout bounds every /api/* request on the service's side, so a stalled
	// network ends in a 503 or a stale answer (auto: StatementTimeout + 1s).
	RequestTimeout time.Duration
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
	// CacheDayPartials keeps the closed UTC days (and the closed hours at their ends) of
	// aggregation windows in the cache, so windows of several days query only their
	// partial first and last hours.
	CacheDayPartials bool
	// CacheRedis is the cache's shared tier on Redis (config_redis.go).
	CacheRedis CacheRedisConfig
	// Access is who may read and how much (config_access.go).
	Access AccessConfig
	// Embedder turns text into embeddings (config_embedder.go).
	Embedder EmbedderConfig
	// Replicas are the PostgreSQL read replicas (config_replicas.go).
	Replicas ReplicaConfig
}

// Key describes one configuration key.
type Key struct {
	Name    string // YAML name; env CONTEXTAPI_<NAME>; flag --<name with dashes>
	Default string
	Usage   string
}

// Keys lists every configuration key with its default, in documentation order; the
// shared cache's keys follow the cache's; the access keys (authentication, TLS, admission,
// rate limits), the read replicas' and the embedder's close the list.
var Keys = slices.Concat([]Key{
	{"addr", ":8080", "HTTP listen address (serve): the API, health and the OpenAPI document"},
	{"metrics_addr", "", "listen address of /metrics alone (serve); empty serves it on addr"},
	{"database_url", "", "PostgreSQL URL or key=value DSN (DATABASE_URL is honoured too); empty uses the PG* variables when set, else no database"},
	{"database_password_file", "", "file holding the database password, read whenever a connection opens (a mounted Secret)"},
	{"demo", "false", "serve the built-in demo data from memory (needed to do so in Kubernetes; exclusive with a database)"},
	{"readiness_requires_database", "false", "report not ready while the database does not answer, instead of serving from the cache"},
	{"log_level", "info", "debug, info, warn or error"},
	{"log_format", "auto", "text, json, or auto: json unless stderr is a terminal"},
	{"shutdown_timeout", "20s", "how long in-flight requests may take to finish on shutdown"},
	{"drain_delay", "5s", "how long readiness answers 503 before the listener closes on shutdown"},
	{"cursor_secret", "contextapi-default-cursor-key", "key signing list cursors; set the same value on every replica"},
	{"statement_timeout", "5s", "bound on every database statement, enforced by the server"},
	{"request_timeout", "auto", "bound on every /api/* request the cache cannot replay, enforced by the service; auto: statement_timeout plus 1s"},
	{"db_max_open_conns", "16", "most connections the pool opens"},
	{"hnsw_ef_search", "auto", "candidates a vector search keeps (hnsw.ef_search), 1 to 1000: more is slower and finds more true neighbours; auto chooses by the table's size"},
	{"cache_enabled", "true", "serve repeated reads from the in-process cache"},
	{"cache_ttl", "5m", "how long a cached answer is served without asking the database"},
	{"cache_stale_window", "15m", "how long past its TTL a cached answer may still be served while the database is unavailable (0s: never)"},
	{"cache_max_bytes", "128MiB", "memory bound of the cache (bytes, or with KiB, MiB, GiB)"},
	{"cache_day_partials", "true", "keep the closed UTC days (and hours at their ends) of aggregation windows in the cache for cache_ttl, so a window of days queries only its partial first and last hours"},
}, redisKeys, accessKeys, replicaKeys, embedderKeys)

// ConfigError names the key whose value is invalid.
type ConfigError struct {
	Key    string
	Reason string
}

// Error renders the key and why its value was refused.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("invalid configuration: %s: %s", e.Key, e.Reason)
}

// Environment is how configuration reads the process environment (os.LookupEnv).
type Environment func(name string) (string, bool)

// ParseConfig validates raw key → value strings (defaults already merged in). env gives
// the variables that are not keys of ours: libpq's PG* and KUBERNETES_SERVICE_HOST.
func ParseConfig(raw map[string]string, env Environment) (Config, error) {
	c := Config{
		Addr:                 raw["addr"],
		MetricsAddr:          raw["metrics_addr"],
		DatabaseURL:          raw["database_url"],
		DatabasePasswordFile: raw["database_password_file"],
		LogFormat:            raw["log_format"],
		CursorSecret:         raw["cursor_secret"],
	}
	if err := checkAddr("addr", c.Addr); err != nil {
		return c, err
	}
	if c.MetricsAddr != "" {
		if err := checkAddr("metrics_addr", c.MetricsAddr); err != nil {
			return c, err
		}
		if c.MetricsAddr == c.Addr {
			return c, &ConfigError{"metrics_addr", "must differ from addr (leave it empty to serve /metrics on addr)"}
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(raw["log_level"])); err != nil {
		return c, &ConfigError{"log_level", "must be debug, info, warn or error"}
	}
	if c.LogFormat != "auto" && c.LogFormat != "text" && c.LogFormat != "json" {
		return c, &ConfigError{"log_format", "must be auto, text or json"}
	}
	var err error
	if c.Demo, err = strconv.ParseBool(raw["demo"]); err != nil {
		return c, &ConfigError{"demo", "must be true or false"}
	}
	if c.ReadinessRequiresDatabase, err = strconv.ParseBool(raw["readiness_requires_database"]); err != nil {
		return c, &ConfigError{"readiness_requires_database", "must be true or false"}
	}
	if err := c.readEnvironment(env); err != nil {
		return c, err
	}
	if c.ShutdownTimeout, err = positiveDuration(raw, "shutdown_timeout"); err != nil {
		return c, err
	}
	if c.ShutdownTimeout == 0 {
		return c, &ConfigError{"shutdown_timeout", "must be greater than zero"}
	}
	if c.DrainDelay, err = positiveDuration(raw, "drain_delay"); err != nil {
		return c, err
	}
	if c.StatementTimeout, err = positiveDuration(raw, "statement_timeout"); err != nil {
		return c, err
	}
	if c.StatementTimeout < time.Millisecond {
		return c, &ConfigError{"statement_timeout", "must be at least 1ms"}
	}
	if v := raw["request_timeout"]; v == "auto" {
		c.RequestTimeout = c.StatementTimeout + time.Second
	} else if c.RequestTimeout, err = positiveDuration(raw, "request_timeout"); err != nil || c.RequestTimeout < time.Millisecond {
		return c, &ConfigError{"request_timeout", "must be auto or a duration of at least 1ms, such as 6s"}
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
	if c.CacheDayPartials, err = strconv.ParseBool(raw["cache_day_partials"]); err != nil {
		return c, &ConfigError{"cache_day_partials", "must be true or false"}
	}
	if c.CacheRedis, err = parseCacheRedis(raw, c.CacheEnabled); err != nil {
		return c, err
	}
	if c.CursorSecret == "" {
		return c, &ConfigError{"cursor_secret", "must not be empty"}
	}
	if c.Access, err = parseAccess(raw, c.DBMaxOpenConns); err != nil {
		return c, err
	}
	if c.Replicas, err = parseReplicas(raw, c); err != nil {
		return c, err
	}
	if c.Embedder, err = parseEmbedder(raw); err != nil {
		return c, err
	}
	return c, nil
}

func checkAddr(key, addr string) error {
	if _, port, err := net.SplitHostPort(addr); err != nil {
		return &ConfigError{key, "must be host:port, e.g. :8080"}
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return &ConfigError{key, "port must be a number from 0 to 65535"}
	}
	return nil
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
