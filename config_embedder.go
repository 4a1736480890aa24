package contextapi

import (
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/adapters/openai"
)

// EmbedderConfig is the model that turns text into embeddings: text queries of semantic
// search (serve) and the embeddings `contextapi embed` writes (docs/embeddings.md).
type EmbedderConfig struct {
	// URL is an OpenAI-compatible embeddings server (empty: none, no text queries).
	URL string
	// Model is the model name sent with each request.
	Model string
	// APIKeyFile holds the bearer key, read at start.
	APIKeyFile string
	// Timeout bounds one request, Retries how many times a failed one is tried again.
	Timeout time.Duration
	Retries int
	// MaxBatch is the most texts in one request.
	MaxBatch int
	// CacheMaxBytes bounds the cache of query embeddings (0: none).
	CacheMaxBytes int64
}

// Enabled reports whether an embedder is configured.
func (e EmbedderConfig) Enabled() bool { return e.URL != "" }

// embedderKeys are the keys of EmbedderConfig, at the end of Keys.
var embedderKeys = []Key{
	{"embedder_url", "", "OpenAI-compatible embeddings server for text queries and contextapi embed (text-embeddings-inference, Ollama, vLLM, ...): its base URL, to which /v1/embeddings is added, or the full URL of an endpoint ending in /embeddings; empty: no text queries"},
	{"embedder_model", "sentence-transformers/all-MiniLM-L6-v2", "model name sent to the embedder (Ollama: all-minilm); it must make 384-number embeddings, like the stored ones"},
	{"embedder_api_key_file", "", "file holding the embedder's bearer key (a mounted Secret), read at start"},
	{"embedder_timeout", "5s", "bound on one request to the embedder"},
	{"embedder_retries", "2", "times a failed embedder request (connection error, timeout, 429, 5xx) is tried again, with exponential backoff"},
	{"embedder_max_batch", "32", "most texts sent to the embedder in one request"},
	{"embedder_cache_max_bytes", "8MiB", "memory bound of the cache of query embeddings (0: no cache)"},
}

// parseEmbedder validates the embedder keys.
func parseEmbedder(raw map[string]string) (EmbedderConfig, error) {
	e := EmbedderConfig{
		URL:        strings.TrimSpace(raw["embedder_url"]),
		Model:      strings.TrimSpace(raw["embedder_model"]),
		APIKeyFile: raw["embedder_api_key_file"],
	}
	if e.URL != "" {
		if _, err := openai.Endpoint(e.URL); err != nil {
			return e, &ConfigError{"embedder_url", err.Error()}
		}
	}
	if e.Model == "" {
		return e, &ConfigError{"embedder_model", "must not be empty"}
	}
	if e.APIKeyFile != "" {
		if e.URL == "" {
			return e, &ConfigError{"embedder_api_key_file", "is set but embedder_url is not"}
		}
		if _, err := openai.ReadAPIKey(e.APIKeyFile); err != nil {
			return e, &ConfigError{"embedder_api_key_file", strings.TrimPrefix(err.Error(), "openai: embedder_api_key_file: ")}
		}
	}
	var err error
	if e.Timeout, err = positiveDuration(raw, "embedder_timeout"); err != nil || e.Timeout < time.Millisecond {
		return e, &ConfigError{"embedder_timeout", "must be a duration of at least 1ms, such as 5s"}
	}
	if e.Retries, err = strconv.Atoi(raw["embedder_retries"]); err != nil || e.Retries < 0 || e.Retries > 10 {
		return e, &ConfigError{"embedder_retries", "must be an integer from 0 to 10"}
	}
	if e.MaxBatch, err = strconv.Atoi(raw["embedder_max_batch"]); err != nil || e.MaxBatch < 1 || e.MaxBatch > 2048 {
		return e, &ConfigError{"embedder_max_batch", "must be an integer from 1 to 2048"}
	}
	if e.CacheMaxBytes, err = parseBytes(raw["embedder_cache_max_bytes"]); err != nil || (e.CacheMaxBytes > 0 && e.CacheMaxBytes < 64<<10) {
		return e, &ConfigError{"embedder_cache_max_bytes", "must be 0 (no cache) or a size of at least 64KiB, such as 8MiB"}
	}
	return e, nil
}

// ClientOptions are the client options of e (retries: openai reads 0 as its default).
func (e EmbedderConfig) ClientOptions() openai.Options {
	retries := e.Retries
	if retries == 0 {
		retries = -1
	}
	return openai.Options{URL: e.URL, Model: e.Model, APIKeyFile: e.APIKeyFile, Timeout: e.Timeout, Retries: retries, MaxBatch: e.MaxBatch}
}
