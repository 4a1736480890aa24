package kubernetes

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Where the kubelet mounts a pod's service-account credentials; client-go's
// rest.InClusterConfig reads the same files.
const (
	DefaultTokenFile     = "/var/run/secrets/kubernetes.io/serviceaccount/token" // #nosec G101 -- where the token is, not a token
	DefaultCAFile        = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
	DefaultNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
)

// Defaults of the access a caller must have: "get" on this service's Service object, the
// permission kubernaut's services grant one another with RBAC.
const (
	DefaultVerb     = "get"
	DefaultResource = "services"
	DefaultName     = "context-api"
)

// Defaults of the timing and the cache.
const (
	DefaultTimeout    = 2 * time.Second
	DefaultAllowedTTL = time.Minute
	DefaultDeniedTTL  = 10 * time.Second
	DefaultMaxEntries = 10_000
)

// Options configure an Authenticator. The zero value works inside a pod.
type Options struct {
	// Host is the API server's base URL, https only. Default:
	// https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, as in-cluster clients
	// find it; New fails when those are unset too.
	Host string
	// TokenFile holds this pod's service-account token, sent with every review. It is
	// re-read at most once a minute, and on a 401, since projected tokens rotate.
	// Default DefaultTokenFile.
	TokenFile string
	// CAFile holds the certificates the API server's must chain to. Default
	// DefaultCAFile.
	CAFile string
	// NamespaceFile holds this pod's namespace, the default Namespace. Default
	// DefaultNamespaceFile; not read when Namespace is set.
	NamespaceFile string

	// Audiences, when set, are sent as the TokenReview's spec.audiences, and a token
	// accepted for none of them is unauthenticated. Empty: the API server's own audience.
	Audiences []string

	// The SubjectAccessReview's resource attributes: what a caller must be allowed to do.
	// Defaults: Verb DefaultVerb, Group "" (core), Resource DefaultResource, Name
	// DefaultName, Namespace this pod's (read from NamespaceFile).
	Verb, Group, Resource, Name, Namespace string

	// Timeout bounds one decision, both reviews together. Default DefaultTimeout.
	Timeout time.Duration
	// AllowedTTL and DeniedTTL are how long a decision is reused: allowed, or denied
	// (unauthenticated or forbidden). "Unavailable" is never reused. Zero means the
	// default (DefaultAllowedTTL, DefaultDeniedTTL); negative, not cached.
	AllowedTTL, DeniedTTL time.Duration
	// MaxEntries bounds the decisions cached; the least recently used go first. Default
	// (zero or negative) DefaultMaxEntries.
	MaxEntries int

	// Now is the clock of the cache and of the token re-reads (default time.Now).
	Now func() time.Time
	// Registerer receives contextapi_auth_reviews_total{kind}, the reviews sent to the
	// API server; nil registers none. Several Authenticators may share one Registerer:
	// they count into the series registered first. Decisions are counted by the caller.
	Registerer prometheus.Registerer
	// Logger hears of a token file that could not be re-read (default: none).
	Logger *slog.Logger
}

// withDefaults fills in what opts leaves out, reading the environment and the namespace
// file if it must.
func (opts Options) withDefaults() (Options, error) {
	host, err := apiHost(opts.Host)
	if err != nil {
		return opts, err
	}
	opts.Host = host
	opts.TokenFile = orDefault(opts.TokenFile, DefaultTokenFile)
	opts.CAFile = orDefault(opts.CAFile, DefaultCAFile)
	opts.NamespaceFile = orDefault(opts.NamespaceFile, DefaultNamespaceFile)
	opts.Verb = orDefault(opts.Verb, DefaultVerb)
	opts.Resource = orDefault(opts.Resource, DefaultResource)
	opts.Name = orDefault(opts.Name, DefaultName)
	if opts.Namespace == "" {
		b, err := os.ReadFile(opts.NamespaceFile)
		if err != nil {
			return opts, fmt.Errorf("kubernetes: namespace: %w", err)
		}
		if opts.Namespace = strings.TrimSpace(string(b)); opts.Namespace == "" {
			return opts, fmt.Errorf("kubernetes: namespace file %s is empty", opts.NamespaceFile)
		}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.AllowedTTL == 0 {
		opts.AllowedTTL = DefaultAllowedTTL
	}
	if opts.DeniedTTL == 0 {
		opts.DeniedTTL = DefaultDeniedTTL
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts, nil
}

// apiHost returns the API server's base URL: host when set, else the one the
// environment of every pod names.
func apiHost(host string) (string, error) {
	if host == "" {
		h, p := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
		if h == "" || p == "" {
			return "", errors.New("kubernetes: no API server: Host unset and not in a cluster (KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT)")
		}
		host = "https://" + net.JoinHostPort(h, p)
	}
	u, err := url.Parse(host)
	if err != nil {
		return "", fmt.Errorf("kubernetes: API server URL: %w", err)
	}
	// The service-account token goes with every request: never in clear.
	if u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("kubernetes: API server URL %q: want https://host[:port]", host)
	}
	return strings.TrimSuffix(host, "/"), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
