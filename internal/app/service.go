// Package app holds contextapi's use cases: it validates requests against the API
// contract (docs/api.md), applies defaults and limits, normalises them to canonical
// domain queries and calls the ports. Every rule of the API lives here, not in handlers
// or SQL.
package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// Clock tells the current time; tests fix it.
type Clock func() time.Time

// Params are the raw query parameters of a request, name → values in the order given
// (url.Values converts to it).
type Params map[string][]string

// Service runs the use cases over a repository.
type Service struct {
	incidents  ports.IncidentRepository
	aggregates ports.AggregateRepository
	pinger     ports.Pinger
	now        Clock
	cursors    *CursorCodec
	text       textQueries
}

// NewService returns a Service reading through repo.
func NewService(repo ports.Repository, now Clock, cursors *CursorCodec, opts ...Option) *Service {
	s := &Service{incidents: repo, aggregates: repo, pinger: repo, now: now, cursors: cursors}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Ping tells whether the repository can answer now, for Health; any failure is
// domain.ErrUnavailable.
func (s *Service) Ping(ctx context.Context) error {
	if err := s.pinger.Ping(ctx); err != nil {
		if errors.Is(err, domain.ErrUnavailable) {
			return fmt.Errorf("app: ping: %w", err)
		}
		// Whatever stops the ping, the service cannot answer from the repository now.
		return fmt.Errorf("app: ping: %w: %w", domain.ErrUnavailable, err)
	}
	return nil
}
