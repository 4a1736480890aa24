package httpapi

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/domain"
)

const (
	headerAuthorization   = echo.HeaderAuthorization
	headerWWWAuthenticate = echo.HeaderWWWAuthenticate
	ctxKeyPrincipal       = "contextapi.principal"
	ctxKeyRetryAfter      = "contextapi.retry_after"
	// apiPrefix and mcpPath are what authentication, rate limits and deadlines guard:
	// health, readiness, /metrics and /openapi.json stay open to the platform.
	apiPrefix = "/api/"
	mcpPath   = "/mcp"
)

// Bearer challenges (RFC 6750 §3): none when no credentials came, invalid_request for an
// Authorization header that is not a bearer token, invalid_token for a token refused,
// insufficient_scope for a principal who may not read.
const (
	challengeBearer        = `Bearer realm="contextapi"` // #nosec G101 -- a WWW-Authenticate challenge, no credential
	challengeInvalidReq    = `Bearer realm="contextapi", error="invalid_request"`
	challengeInvalidToken  = `Bearer realm="contextapi", error="invalid_token"` // #nosec G101 -- a WWW-Authenticate challenge, no credential
	challengeInsufficient  = `Bearer realm="contextapi", error="insufficient_scope"`
	principalAnonymousPeer = "" // no principal: rate limits key on the peer address
)

// errNoClientCert refuses an API request whose TLS connection carries no verified client
// certificate while mutual TLS is required.
var errNoClientCert = fmt.Errorf("httpapi: no verified client certificate: %w", domain.ErrUnauthenticated)

// guardAPI decides who an /api/* request acts for before anything else answers it, the
// replay of a remembered answer included, so no request without valid credentials ever
// gets data. Under mutual TLS the verified client certificate is required first; with
// an authenticator the bearer token then decides, and its principal names the caller.
func (s *Server) guardAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isAPI(c) {
			return next(c)
		}
		req := c.Request()
		principal := principalAnonymousPeer
		if s.cfg.RequireClientCert {
			name, ok := clientCertName(req.TLS)
			if !ok {
				return s.chargeRefusal(c, errNoClientCert)
			}
			principal = name
		}
		if s.cfg.Auth != nil {
			p, err := s.authenticate(c)
			if err != nil {
				return s.chargeRefusal(c, err)
			}
			principal = p.Name
		}
		if principal != "" {
			c.Set(ctxKeyPrincipal, principal)
		}
		return next(c)
	}
}

// chargeRefusal spends the peer's rate budget on a request refused for its credentials,
// so guessing tokens is bounded by rate_limit like any other request: once the peer has
// spent its budget, its refused requests are answered 429.
func (s *Server) chargeRefusal(c echo.Context, refusal error) error {
	if s.cfg.RateLimiter == nil {
		return refusal
	}
	if err := s.spendBudget(c, "peer:"+peerAddress(c.Request())); err != nil {
		return err
	}
	return refusal
}

// authenticate asks the authenticator about the request's bearer token, setting the
// challenge a refusal answers with.
func (s *Server) authenticate(c echo.Context) (domain.Principal, error) {
	h := c.Response().Header()
	token, sent, ok := bearerToken(c.Request().Header.Get(headerAuthorization))
	if !ok {
		s.authDecisions.WithLabelValues(s.cfg.AuthMode, "unauthenticated").Inc()
		if sent {
			h.Set(headerWWWAuthenticate, challengeInvalidReq)
			return domain.Principal{}, fmt.Errorf("httpapi: the Authorization header is not a bearer token: %w", domain.ErrUnauthenticated)
		}
		h.Set(headerWWWAuthenticate, challengeBearer)
		return domain.Principal{}, fmt.Errorf("httpapi: no credentials: %w", domain.ErrUnauthenticated)
	}
	p, err := s.cfg.Auth.Authenticate(c.Request().Context(), token)
	result := "error"
	switch {
	case err == nil && p.Name != "":
		s.authDecisions.WithLabelValues(s.cfg.AuthMode, "allowed").Inc()
		return p, nil
	case err == nil:
		// An authenticator that accepts nobody in particular is a bug; never serve on it.
		err = errors.New("httpapi: the authenticator accepted a token without naming its principal")
	case errors.Is(err, domain.ErrUnauthenticated):
		result = "unauthenticated"
		h.Set(headerWWWAuthenticate, challengeInvalidToken)
	case errors.Is(err, domain.ErrForbidden):
		result = "forbidden"
		h.Set(headerWWWAuthenticate, challengeInsufficient)
	case errors.Is(err, domain.ErrUnavailable):
		result = "unavailable"
	}
	s.authDecisions.WithLabelValues(s.cfg.AuthMode, result).Inc()
	return domain.Principal{}, err
}

// bearerToken reads an Authorization header: the token, whether any header was sent,
// and whether it is a non-empty bearer token (the scheme is case-insensitive).
func bearerToken(header string) (token string, sent, ok bool) {
	if header == "" {
		return "", false, false
	}
	scheme, rest, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", true, false
	}
	token = strings.TrimSpace(rest)
	return token, true, token != ""
}

// clientCertName names the peer of a mutual TLS connection by its verified certificate's
// subject (the common name, else the whole subject).
func clientCertName(state *tls.ConnectionState) (string, bool) {
	if state == nil || len(state.VerifiedChains) == 0 || len(state.VerifiedChains[0]) == 0 {
		return "", false
	}
	subject := state.VerifiedChains[0][0].Subject
	if subject.CommonName != "" {
		return "cert:" + subject.CommonName, true
	}
	return "cert:" + subject.String(), true
}

// principalOf is the name the request acts for, "" when it was not authenticated.
func principalOf(c echo.Context) string {
	name, _ := c.Get(ctxKeyPrincipal).(string)
	return name
}

// peerAddress is the address the connection came from: never a client-supplied header
// (X-Forwarded-For, X-Real-IP), which anyone can set.
func peerAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
