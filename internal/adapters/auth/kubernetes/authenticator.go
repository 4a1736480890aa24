package kubernetes

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/flight"
	"github.com/contextapi/contextapi/internal/ports"
)

var _ ports.Authenticator = (*Authenticator)(nil)

var errNoToken = fmt.Errorf("kubernetes: no token: %w", domain.ErrUnauthenticated)

// Authenticator lets in the tokens the Kubernetes API server says belong to a user
// allowed the configured access. It is safe for concurrent use.
type Authenticator struct {
	reviewer *reviewer
	cache    *decisions
	flights  *flight.Group[tokenKey, decision]
	metrics  *metrics
}

// New reads this pod's service-account credentials and namespace (see Options) and
// fails when any is missing; it sends nothing to the API server yet.
func New(opts Options) (*Authenticator, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	creds, err := loadCredentials(opts.TokenFile, opts.Now, opts.Logger)
	if err != nil {
		return nil, err
	}
	hc, err := newHTTPClient(opts.CAFile)
	if err != nil {
		return nil, err
	}
	m := newMetrics(opts.Registerer)
	return &Authenticator{
		reviewer: &reviewer{
			client:    &apiClient{host: opts.Host, http: hc, creds: creds, sent: m.sent},
			audiences: opts.Audiences,
			access: authorizationv1.ResourceAttributes{
				Namespace: opts.Namespace,
				Verb:      opts.Verb,
				Group:     opts.Group,
				Resource:  opts.Resource,
				Name:      opts.Name,
			},
		},
		cache:   newDecisions(opts.Now, opts.AllowedTTL, opts.DeniedTTL, opts.MaxEntries),
		flights: flight.New[tokenKey, decision](opts.Timeout, nil),
		metrics: m,
	}, nil
}

// Authenticate returns the principal token stands for, from a recent decision about it
// or from a TokenReview and a SubjectAccessReview. Errors wrap domain.ErrUnauthenticated,
// domain.ErrForbidden or domain.ErrUnavailable; a caller whose context ends first gets
// its context's error (with domain.ErrUnavailable for a deadline), and the reviews go
// on for any other caller of the same token.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (domain.Principal, error) {
	if token == "" {
		return domain.Principal{}, errNoToken
	}
	key := tokenKey(sha256.Sum256([]byte(token)))
	if dec, ok := a.cache.get(key); ok {
		return dec.principal, dec.err
	}
	dec, err := a.flights.Do(ctx, key, func(ctx context.Context) (decision, error) {
		// A flight for this token that ended since the lookup above has kept its decision.
		if dec, ok := a.cache.get(key); ok {
			return dec, nil
		}
		p, err := a.reviewer.decide(ctx, token)
		dec := decision{principal: p, err: err}
		a.cache.put(key, dec)
		return dec, nil
	})
	switch {
	case errors.Is(err, flight.ErrPanicked):
		return domain.Principal{}, fmt.Errorf("kubernetes: review: %w: %w", domain.ErrUnavailable, err)
	case errors.Is(err, context.DeadlineExceeded):
		return domain.Principal{}, fmt.Errorf("kubernetes: no decision before the request's deadline: %w: %w", domain.ErrUnavailable, err)
	case err != nil:
		return domain.Principal{}, fmt.Errorf("kubernetes: the request left before the decision: %w", err)
	}
	return dec.principal, dec.err
}
