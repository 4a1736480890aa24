package contextapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/adapters/ratelimit"
)

// Authentication modes (auth_mode).
const (
	AuthNone       = "none"
	AuthBearer     = "bearer"
	AuthKubernetes = "kubernetes"
)

// AccessConfig is who may read and how much: authentication, TLS, admission and rate
// limits (docs/api.md §5).
type AccessConfig struct {
	// AuthMode is none, bearer or kubernetes.
	AuthMode string
	// AuthTokensFile lists the bearer tokens (name:sha256 lines), re-read on change.
	AuthTokensFile string
	// AuthAudiences, when set, are the audiences a Kubernetes token must be meant for.
	AuthAudiences []string
	// The SubjectAccessReview a Kubernetes principal must pass: verb on
	// group/resource/name in namespace ("" namespace: the pod's own).
	AuthVerb, AuthGroup, AuthResource, AuthResourceName, AuthNamespace string
	// AuthCacheTTL and AuthDeniedCacheTTL are how long a Kubernetes decision is reused,
	// allowed and denied apart.
	AuthCacheTTL, AuthDeniedCacheTTL time.Duration
	// TLSCertFile and TLSKeyFile serve the API over TLS (both or neither), re-read when
	// they change; TLSClientCAFile requires client certificates it verifies.
	TLSCertFile, TLSKeyFile, TLSClientCAFile string
	// MaxConcurrentQueries bounds the reads that reach the database at once, and
	// QueueTimeout how long a read waits for a slot before it is shed (503).
	MaxConcurrentQueries int
	QueueTimeout         time.Duration
	// RateLimit is requests per second per caller (0: no limit), RateBurst the bucket.
	RateLimit float64
	RateBurst int
}

// accessKeys are the keys of AccessConfig, at the end of Keys.
var accessKeys = []Key{
	{"auth_mode", AuthNone, "who may call /api/*: none, bearer (a tokens file) or kubernetes (TokenReview and SubjectAccessReview)"},
	{"auth_tokens_file", "", "bearer: file of name:sha256 lines, one per token (contextapi token makes one), re-read when it changes"},
	{"auth_audiences", "", "kubernetes: audiences a token must be meant for, comma-separated (empty: the API server's)"},
	{"auth_verb", "get", "kubernetes: the verb a caller must be allowed on the resource below"},
	{"auth_resource", "services", "kubernetes: the resource (group/resource for another API group)"},
	{"auth_resource_name", "context-api", "kubernetes: the resource's name"},
	{"auth_namespace", "", "kubernetes: the resource's namespace (empty: the pod's own)"},
	{"auth_cache_ttl", "1m", "kubernetes: how long an allowed decision is reused"},
	{"auth_denied_cache_ttl", "10s", "kubernetes: how long a denied decision is reused"},
	{"tls_cert_file", "", "serve the API over TLS with this certificate (PEM; re-read when it changes)"},
	{"tls_key_file", "", "the certificate's private key (PEM)"},
	{"tls_client_ca_file", "", "require /api/* clients to present a certificate this CA bundle verifies (mutual TLS)"},
	{"max_concurrent_queries", "auto", "database reads admitted at once; auto: twice db_max_open_conns"},
	{"queue_timeout", "25ms", "how long a read waits to be admitted before it is shed with a 503"},
	{"rate_limit", "0", "requests per second per caller on /api/* (0: no limit); the caller is the principal, else the peer address"},
	{"rate_burst", "0", "requests a caller may send at once (0: the rate rounded up)"},
}

// parseAccess validates the access keys.
func parseAccess(raw map[string]string, maxOpenConns int) (AccessConfig, error) {
	a := AccessConfig{
		AuthMode:         raw["auth_mode"],
		AuthTokensFile:   raw["auth_tokens_file"],
		AuthVerb:         raw["auth_verb"],
		AuthResourceName: raw["auth_resource_name"],
		AuthNamespace:    raw["auth_namespace"],
		TLSCertFile:      raw["tls_cert_file"],
		TLSKeyFile:       raw["tls_key_file"],
		TLSClientCAFile:  raw["tls_client_ca_file"],
	}
	switch a.AuthMode {
	case AuthNone, AuthKubernetes:
	case AuthBearer:
		if a.AuthTokensFile == "" {
			return a, &ConfigError{"auth_tokens_file", "is required with auth_mode bearer (contextapi token prints a token and its line)"}
		}
	default:
		return a, &ConfigError{"auth_mode", "must be none, bearer or kubernetes"}
	}
	for _, aud := range strings.Split(raw["auth_audiences"], ",") {
		if aud = strings.TrimSpace(aud); aud != "" {
			a.AuthAudiences = append(a.AuthAudiences, aud)
		}
	}
	if a.AuthVerb == "" {
		return a, &ConfigError{"auth_verb", "must not be empty"}
	}
	resource := raw["auth_resource"]
	if group, res, found := strings.Cut(resource, "/"); found {
		a.AuthGroup, resource = group, res
	}
	if resource == "" || strings.Contains(resource, "/") {
		return a, &ConfigError{"auth_resource", "must be a resource, or group/resource, such as services"}
	}
	a.AuthResource = resource
	var err error
	if a.AuthCacheTTL, err = positiveDuration(raw, "auth_cache_ttl"); err != nil {
		return a, err
	}
	if a.AuthDeniedCacheTTL, err = positiveDuration(raw, "auth_denied_cache_ttl"); err != nil {
		return a, err
	}
	if (a.TLSCertFile == "") != (a.TLSKeyFile == "") {
		return a, &ConfigError{"tls_key_file", "tls_cert_file and tls_key_file go together"}
	}
	if a.TLSClientCAFile != "" && a.TLSCertFile == "" {
		return a, &ConfigError{"tls_client_ca_file", "needs tls_cert_file and tls_key_file: client certificates are verified over TLS"}
	}
	if v := raw["max_concurrent_queries"]; v == "auto" {
		a.MaxConcurrentQueries = 2 * maxOpenConns
	} else if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 100_000 {
		return a, &ConfigError{"max_concurrent_queries", "must be auto or an integer from 1 to 100000"}
	} else {
		a.MaxConcurrentQueries = n
	}
	if a.QueueTimeout, err = positiveDuration(raw, "queue_timeout"); err != nil || a.QueueTimeout < time.Millisecond {
		return a, &ConfigError{"queue_timeout", "must be a duration of at least 1ms, such as 25ms"}
	}
	if a.RateLimit, err = strconv.ParseFloat(raw["rate_limit"], 64); err != nil || a.RateLimit < 0 ||
		math.IsInf(a.RateLimit, 0) || math.IsNaN(a.RateLimit) {
		return a, &ConfigError{"rate_limit", "must be a number of requests per second, 0 for no limit"}
	}
	if a.RateBurst, err = strconv.Atoi(raw["rate_burst"]); err != nil || a.RateBurst < 0 {
		return a, &ConfigError{"rate_burst", "must be a non-negative integer"}
	}
	if a.RateBurst > 0 && a.RateLimit == 0 {
		return a, &ConfigError{"rate_burst", "needs rate_limit"}
	}
	if a.RateLimit > 0 {
		if err := (ratelimit.Options{Rate: a.RateLimit, Burst: a.RateBurst}).Validate(); err != nil {
			return a, &ConfigError{"rate_limit", err.Error()}
		}
	}
	return a, nil
}

// TLS reports whether the API is served over TLS.
func (a AccessConfig) TLS() bool { return a.TLSCertFile != "" }

// Describe sums authentication, TLS and rate limits up for the first log line (the
// admission bound is the database's, described with it).
func (a AccessConfig) Describe() string {
	parts := []string{"auth " + a.AuthMode}
	if a.TLS() {
		tls := "TLS"
		if a.TLSClientCAFile != "" {
			tls = "mutual TLS"
		}
		parts = append(parts, tls)
	}
	if a.RateLimit > 0 {
		parts = append(parts, fmt.Sprintf("rate limit %g/s per caller", a.RateLimit))
	}
	return strings.Join(parts, ", ")
}
