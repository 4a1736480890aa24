package contextapi

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/adapters/auth/bearer"
	"github.com/contextapi/contextapi/internal/adapters/auth/kubernetes"
	"github.com/contextapi/contextapi/internal/adapters/httpapi"
	"github.com/contextapi/contextapi/internal/adapters/ratelimit"
	"github.com/contextapi/contextapi/internal/adapters/tlsfiles"
	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/ports"
)

// Access is what guards the API: the authenticator of auth_mode (nil: none), the TLS
// configuration (nil: plain HTTP), and the per-caller rate limiter (nil: none).
type Access struct {
	Auth              ports.Authenticator
	Mode              string
	TLS               *tls.Config
	RequireClientCert bool
	RateLimiter       httpapi.RateLimiter
}

// provideAccess builds the authentication, TLS and rate limits the configuration asks
// for. Every file is read now, so a missing tokens file or certificate stops start-up.
func provideAccess(cfg Config, now app.Clock, reg *prometheus.Registry, logger *slog.Logger) (Access, error) {
	a := cfg.Access
	out := Access{Mode: a.AuthMode}
	switch a.AuthMode {
	case AuthBearer:
		auth, err := bearer.New(bearer.Options{File: a.AuthTokensFile, Now: now, Logger: logger})
		if err != nil {
			return out, &ConfigError{"auth_tokens_file", err.Error()}
		}
		out.Auth = auth
	case AuthKubernetes:
		auth, err := kubernetes.New(kubernetesOptions(a, now, reg, logger))
		if err != nil {
			return out, &ConfigError{"auth_mode", fmt.Sprintf("kubernetes: %v", err)}
		}
		out.Auth = auth
	}
	if a.TLS() {
		r, err := tlsfiles.New(tlsfiles.Options{
			CertFile: a.TLSCertFile, KeyFile: a.TLSKeyFile, ClientCAFile: a.TLSClientCAFile, Now: now, Logger: logger,
		})
		if err != nil {
			return out, &ConfigError{"tls_cert_file", err.Error()}
		}
		out.TLS = r.TLSConfig()
		out.RequireClientCert = a.TLSClientCAFile != ""
	}
	if a.RateLimit > 0 {
		out.RateLimiter = rateLimits{ratelimit.New(ratelimit.Options{Rate: a.RateLimit, Burst: a.RateBurst, Now: now, Registerer: reg})}
	}
	return out, nil
}

// rateLimits adapts the ratelimit adapter to the HTTP layer's port.
type rateLimits struct{ *ratelimit.Limiter }

func (r rateLimits) Allow(key string) httpapi.RateDecision {
	d := r.Limiter.Allow(key)
	return httpapi.RateDecision{Allowed: d.Allowed, RetryAfter: d.RetryAfter, Header: d.Header()}
}

// OpenToAll reports whether /api/* answers anyone who reaches addr: no authentication,
// no client certificates, and an address other than loopback. The first log line then
// warns: incident history names a whole fleet's workloads.
func (a Access) OpenToAll(addr string) bool {
	if a.Auth != nil || a.RequireClientCert {
		return false
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// kubernetesOptions maps the configuration onto the TokenReview/SubjectAccessReview
// authenticator; the pod's credentials and the API server are found as in-cluster
// clients find them.
func kubernetesOptions(a AccessConfig, now func() time.Time, reg prometheus.Registerer, logger *slog.Logger) kubernetes.Options {
	ttl := func(d time.Duration) time.Duration {
		if d == 0 {
			return -1 // the configuration's 0s means "not reused"; the adapter's zero, its default
		}
		return d
	}
	return kubernetes.Options{
		Audiences: a.AuthAudiences,
		Verb:      a.AuthVerb, Group: a.AuthGroup, Resource: a.AuthResource, Name: a.AuthResourceName,
		Namespace:  a.AuthNamespace,
		AllowedTTL: ttl(a.AuthCacheTTL), DeniedTTL: ttl(a.AuthDeniedCacheTTL),
		Now: now, Logger: logger, Registerer: reg,
	}
}
