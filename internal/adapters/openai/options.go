package openai

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/domain"
)

// Defaults of Options.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultRetries  = 2
	DefaultMaxBatch = 32
	defaultBackoff  = 200 * time.Millisecond
	// maxWait caps one wait between attempts, whatever Retry-After asks: a longer one
	// would outlast any request waiting on it.
	maxWait = 10 * time.Second
)

// Options configure an Embedder.
type Options struct {
	// URL is the server's base URL (http://tei:8080), to which /v1/embeddings is added,
	// or the full URL of the embeddings endpoint when its path ends in /embeddings.
	URL string
	// Model is sent as "model"; servers of a single model (text-embeddings-inference)
	// ignore it.
	Model string
	// APIKeyFile, when set, holds the bearer key, read once by New and never logged.
	APIKeyFile string
	// Dimensions is the length every returned embedding must have (the column's).
	Dimensions int
	// Timeout bounds one attempt (default DefaultTimeout).
	Timeout time.Duration
	// Retries is how many times a failed attempt is tried again (default DefaultRetries;
	// negative: none).
	Retries int
	// MaxBatch is the most texts sent in one request (default DefaultMaxBatch).
	MaxBatch int
	// Backoff is the first wait between attempts, doubled each time (default 200ms).
	Backoff time.Duration
	// Client sends the requests (default: a client of its own).
	Client *http.Client
	// Registerer receives the metrics (nil: none).
	Registerer prometheus.Registerer
}

// Endpoint is the URL requests go to: the base URL plus /v1/embeddings, or the URL
// itself when its path already ends in /embeddings.
func Endpoint(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("must be an http:// or https:// URL, such as http://localhost:8081")
	}
	if u.User != nil {
		// A key in the URL would end up in logs: it belongs in embedder_api_key_file.
		return "", errors.New("must not hold credentials: put the key in embedder_api_key_file")
	}
	if !strings.HasSuffix(u.Path, "/embeddings") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/embeddings"
	}
	return u.String(), nil
}

// ReadAPIKey reads a key file: its content without surrounding white space, not empty.
func ReadAPIKey(path string) (string, error) {
	b, err := os.ReadFile(path) // #nosec G304 -- the file the operator configured (embedder_api_key_file)
	if err != nil {
		return "", fmt.Errorf("openai: embedder_api_key_file: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", fmt.Errorf("openai: embedder_api_key_file: %s is empty", path)
	}
	if strings.ContainsAny(key, "\r\n") {
		return "", fmt.Errorf("openai: embedder_api_key_file: %s holds more than one line", path)
	}
	return key, nil
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.Backoff <= 0 {
		o.Backoff = defaultBackoff
	}
	if o.Dimensions <= 0 {
		o.Dimensions = domain.EmbeddingDimensions
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	return o
}
