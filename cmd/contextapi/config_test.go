package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	contextapi "github.com/contextapi/contextapi"
	"github.com/contextapi/contextapi/internal/adapters/postgres"
)

func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addConfigFlags(fs, serveKeys...)
	require.NoError(t, fs.Parse(args))
	return fs
}

func writeYAML(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "contextapi.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

// clearEnv leaves no CONTEXTAPI_, database or Kubernetes variable set (restored after t).
func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, envPrefix) {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	for _, name := range append([]string{"DATABASE_URL", "KUBERNETES_SERVICE_HOST", "CONTEXTAPI_DATABASE_ULR", "CONTEXTAPI_SERVICE_HOST"}, postgres.SelectingVariables...) {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
}

func TestConfigDefaults(t *testing.T) {
	clearEnv(t)
	cfg, err := loadConfig(flags(t))
	require.NoError(t, err)
	assert.Equal(t, ":8080", cfg.Addr)
	assert.Empty(t, cfg.DatabaseURL)
	assert.Equal(t, 5*time.Second, cfg.DrainDelay)
	assert.Equal(t, 20*time.Second, cfg.ShutdownTimeout)
	assert.Equal(t, 5*time.Second, cfg.StatementTimeout)
	assert.Equal(t, 16, cfg.DBMaxOpenConns)
	assert.Zero(t, cfg.HNSWEfSearch, "auto: chosen by the table's size")
	assert.True(t, cfg.CacheEnabled)
	assert.Equal(t, 5*time.Minute, cfg.CacheTTL)
	assert.Equal(t, 15*time.Minute, cfg.CacheStaleWindow)
	assert.Equal(t, int64(128<<20), cfg.CacheMaxBytes)
	assert.Equal(t, "auto", cfg.LogFormat)
	assert.Empty(t, cfg.MetricsAddr)
	assert.False(t, cfg.Demo)
	assert.False(t, cfg.ReadinessRequiresDatabase)
}

func TestCacheConfiguration(t *testing.T) {
	clearEnv(t)
	t.Setenv("CONTEXTAPI_CACHE_MAX_BYTES", "2GiB")
	cfg, err := loadConfig(flags(t, "--cache-enabled=false", "--cache-ttl", "30s", "--cache-stale-window", "0s"))
	require.NoError(t, err)
	assert.False(t, cfg.CacheEnabled)
	assert.Equal(t, 30*time.Second, cfg.CacheTTL)
	assert.Zero(t, cfg.CacheStaleWindow)
	assert.Equal(t, int64(2<<30), cfg.CacheMaxBytes)
}

func TestAccessConfiguration(t *testing.T) {
	clearEnv(t)
	cfg, err := loadConfig(flags(t))
	require.NoError(t, err)
	assert.Equal(t, contextapi.AccessConfig{
		AuthMode: "none", AuthVerb: "get", AuthResource: "services", AuthResourceName: "context-api",
		AuthCacheTTL: time.Minute, AuthDeniedCacheTTL: 10 * time.Second,
		MaxConcurrentQueries: 32, QueueTimeout: 25 * time.Millisecond,
	}, cfg.Access, "off by default; admission bounded at twice the pool")

	t.Setenv("CONTEXTAPI_AUTH_MODE", "kubernetes")
	t.Setenv("CONTEXTAPI_AUTH_AUDIENCES", " context-api , https://kubernetes.default.svc ")
	cfg, err = loadConfig(flags(t, "--auth-resource", "apps/deployments", "--db-max-open-conns", "4",
		"--tls-cert-file", "/tls/tls.crt", "--tls-key-file", "/tls/tls.key", "--rate-limit", "2.5"))
	require.NoError(t, err)
	a := cfg.Access
	assert.Equal(t, []string{"context-api", "https://kubernetes.default.svc"}, a.AuthAudiences)
	assert.Equal(t, "apps", a.AuthGroup)
	assert.Equal(t, "deployments", a.AuthResource)
	assert.Equal(t, 8, a.MaxConcurrentQueries)
	assert.InDelta(t, 2.5, a.RateLimit, 0)
	assert.Equal(t, "auth kubernetes, TLS, rate limit 2.5/s per caller", a.Describe())
}

func TestConfigPrecedence(t *testing.T) {
	clearEnv(t)
	path := writeYAML(t, "addr: \":7000\"\nlog_level: debug\ndrain_delay: 1s\nstatement_timeout: 2s\nhnsw_ef_search: 200\n")

	cfg, err := loadConfig(flags(t, "--config", path))
	require.NoError(t, err)
	assert.Equal(t, ":7000", cfg.Addr, "YAML over defaults")
	assert.Equal(t, 200, cfg.HNSWEfSearch)
	assert.Equal(t, time.Second, cfg.DrainDelay)

	t.Setenv("CONTEXTAPI_ADDR", ":7100")
	t.Setenv("CONTEXTAPI_DRAIN_DELAY", "3s")
	cfg, err = loadConfig(flags(t, "--config", path))
	require.NoError(t, err)
	assert.Equal(t, ":7100", cfg.Addr, "environment over YAML")
	assert.Equal(t, 3*time.Second, cfg.DrainDelay)
	assert.Equal(t, 2*time.Second, cfg.StatementTimeout, "YAML still applies where env is silent")

	cfg, err = loadConfig(flags(t, "--config", path, "--addr", ":7200"))
	require.NoError(t, err)
	assert.Equal(t, ":7200", cfg.Addr, "flags over environment")
	assert.Equal(t, 3*time.Second, cfg.DrainDelay)
}

func TestDatabaseURLPrecedence(t *testing.T) {
	clearEnv(t)
	t.Setenv("DATABASE_URL", "postgres://plain@127.0.0.1/a")
	cfg, err := loadConfig(flags(t))
	require.NoError(t, err)
	assert.Equal(t, "postgres://plain@127.0.0.1/a", cfg.DatabaseURL, "plain DATABASE_URL is honoured")

	t.Setenv("CONTEXTAPI_DATABASE_URL", "postgres://prefixed@127.0.0.1/b")
	cfg, err = loadConfig(flags(t))
	require.NoError(t, err)
	assert.Equal(t, "postgres://prefixed@127.0.0.1/b", cfg.DatabaseURL, "CONTEXTAPI_DATABASE_URL wins")

	cfg, err = loadConfig(flags(t, "--database-url", "host=/var/run/postgresql dbname=c"))
	require.NoError(t, err)
	assert.Equal(t, "host=/var/run/postgresql dbname=c", cfg.DatabaseURL)
}

func TestInvalidConfigNamesTheKey(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		yaml string
		key  string
	}{
		{name: "bad addr flag", args: []string{"--addr", "8080"}, key: "addr"},
		{name: "port out of range", args: []string{"--addr", ":70000"}, key: "addr"},
		{name: "bad duration in env", env: map[string]string{"CONTEXTAPI_SHUTDOWN_TIMEOUT": "soon"}, key: "shutdown_timeout"},
		{name: "negative drain delay", args: []string{"--drain-delay", "-1s"}, key: "drain_delay"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, key: "log_level"},
		{name: "bad log format", env: map[string]string{"CONTEXTAPI_LOG_FORMAT": "xml"}, key: "log_format"},
		{name: "bad database url", args: []string{"--database-url", "postgres://u:pw@[::1"}, key: "database_url"},
		{name: "pool size", args: []string{"--db-max-open-conns", "0"}, key: "db_max_open_conns"},
		{name: "ef_search", args: []string{"--hnsw-ef-search", "0"}, key: "hnsw_ef_search"},
		{name: "empty cursor secret", args: []string{"--cursor-secret", ""}, key: "cursor_secret"},
		{name: "cache switch", args: []string{"--cache-enabled", "maybe"}, key: "cache_enabled"},
		{name: "zero cache TTL", env: map[string]string{"CONTEXTAPI_CACHE_TTL": "0s"}, key: "cache_ttl"},
		{name: "cache size without unit sense", args: []string{"--cache-max-bytes", "lots"}, key: "cache_max_bytes"},
		{name: "cache too small", yaml: "cache_max_bytes: 1KiB\n", key: "cache_max_bytes"},
		{name: "unknown YAML key", yaml: "adr: \":1\"\n", key: "adr"},
		{name: "YAML that does not parse", yaml: "addr: [\n", key: "config"},
		{name: "bad metrics addr", args: []string{"--metrics-addr", "9090"}, key: "metrics_addr"},
		{name: "metrics on the API's address", args: []string{"--addr", ":8080", "--metrics-addr", ":8080"}, key: "metrics_addr"},
		{name: "demo switch", env: map[string]string{"CONTEXTAPI_DEMO": "yes please"}, key: "demo"},
		{name: "readiness switch", yaml: "readiness_requires_database: sometimes\n", key: "readiness_requires_database"},
		{name: "password file without a database", args: []string{"--database-password-file", "/run/secrets/pw"}, key: "database_password_file"},
		{name: "unreadable password file", args: []string{"--database-url", "postgres://u@127.0.0.1/x", "--database-password-file", "/nonexistent/pw"}, key: "database_password_file"},
		{name: "PG variables that do not parse", env: map[string]string{"PGPORT": "not-a-port"}, key: "PGPORT"},
		{name: "unknown auth mode", args: []string{"--auth-mode", "oauth"}, key: "auth_mode"},
		{name: "bearer without a tokens file", env: map[string]string{"CONTEXTAPI_AUTH_MODE": "bearer"}, key: "auth_tokens_file"},
		{name: "empty verb", yaml: "auth_verb: \"\"\n", key: "auth_verb"},
		{name: "resource with two slashes", args: []string{"--auth-resource", "a/b/c"}, key: "auth_resource"},
		{name: "negative auth cache TTL", args: []string{"--auth-cache-ttl", "-1s"}, key: "auth_cache_ttl"},
		{name: "certificate without key", args: []string{"--tls-cert-file", "/tls/tls.crt"}, key: "tls_key_file"},
		{name: "client CA without TLS", args: []string{"--tls-client-ca-file", "/tls/ca.crt"}, key: "tls_client_ca_file"},
		{name: "zero concurrent queries", args: []string{"--max-concurrent-queries", "0"}, key: "max_concurrent_queries"},
		{name: "bad queue timeout", args: []string{"--queue-timeout", "a while"}, key: "queue_timeout"},
		{name: "no queue timeout", args: []string{"--queue-timeout", "0s"}, key: "queue_timeout"},
		{name: "negative rate limit", args: []string{"--rate-limit", "-1"}, key: "rate_limit"},
		{name: "infinite rate limit", args: []string{"--rate-limit", "+Inf"}, key: "rate_limit"},
		{name: "burst without a rate", args: []string{"--rate-burst", "10"}, key: "rate_burst"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := tc.args
			if tc.yaml != "" {
				args = append(args, "--config", writeYAML(t, tc.yaml))
			}
			_, err := loadConfig(flags(t, args...))
			var cfgErr *contextapi.ConfigError
			require.ErrorAs(t, err, &cfgErr)
			assert.Equal(t, tc.key, cfgErr.Key)
			assert.NotContains(t, err.Error(), "pw@", "secrets never appear in messages")
		})
	}
}

func TestInvalidConfigExitsWithStatus2(t *testing.T) {
	clearEnv(t)
	assert.Equal(t, 2, run([]string{"serve", "--addr", "nope"}))
	assert.Equal(t, 2, run([]string{"serve", "--no-such-flag"}))
	assert.Equal(t, 2, run([]string{"migrate"}), "migrate needs a database")
	assert.Equal(t, 2, run([]string{"seed", "--dataset", "huge", "--database-url", "postgres://u@127.0.0.1:1/x"}))
}

func TestVersion(t *testing.T) {
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"version"})
	require.NoError(t, cmd.Execute())
	assert.Regexp(t, `^contextapi dev \(commit \S+, built \S+, go1\.\d+\S* \w+/\w+\)\n$`, out.String())
}

func TestLogFormat(t *testing.T) {
	assert.Equal(t, "json", logFormat("auto", false), "a pipe or a file: JSON")
	assert.Equal(t, "text", logFormat("auto", true), "a person at a terminal: text")
	assert.Equal(t, "text", logFormat("text", false))
	assert.Equal(t, "json", logFormat("json", true))
}

func TestEmbedderConfiguration(t *testing.T) {
	clearEnv(t)
	cfg, err := loadConfig(flags(t))
	require.NoError(t, err)
	assert.False(t, cfg.Embedder.Enabled(), "no embedder unless asked for")
	assert.Equal(t, "sentence-transformers/all-MiniLM-L6-v2", cfg.Embedder.Model)
	assert.Equal(t, int64(8<<20), cfg.Embedder.CacheMaxBytes)

	key := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(key, []byte("sk-1\n"), 0o600))
	t.Setenv("CONTEXTAPI_EMBEDDER_URL", "http://tei:8080")
	cfg, err = loadConfig(flags(t, "--embedder-model", "all-minilm", "--embedder-api-key-file", key, "--embedder-timeout", "2s",
		"--embedder-retries", "0", "--embedder-max-batch", "8", "--embedder-cache-max-bytes", "0"))
	require.NoError(t, err)
	assert.Equal(t, contextapi.EmbedderConfig{URL: "http://tei:8080", Model: "all-minilm", APIKeyFile: key,
		Timeout: 2 * time.Second, MaxBatch: 8}, cfg.Embedder)

	for _, tc := range []struct{ args []string }{
		{[]string{"--embedder-url", "tei:8080"}},
		{[]string{"--embedder-url", "http://user:secret@tei"}},
		{[]string{"--embedder-api-key-file", "/nonexistent"}},
		{[]string{"--embedder-model", " "}},
		{[]string{"--embedder-timeout", "0s"}},
		{[]string{"--embedder-retries", "11"}},
		{[]string{"--embedder-max-batch", "0"}},
		{[]string{"--embedder-cache-max-bytes", "1KiB"}},
	} {
		_, err := loadConfig(flags(t, tc.args...))
		var ce *contextapi.ConfigError
		require.ErrorAs(t, err, &ce, "%v", tc.args)
		assert.True(t, strings.HasPrefix(ce.Key, "embedder_"), "%v: %v", tc.args, err)
		assert.NotContains(t, err.Error(), "secret", "credentials are never echoed")
	}
}
