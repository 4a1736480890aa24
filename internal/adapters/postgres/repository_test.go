package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

// openLoaded returns a repository over a fresh database holding events.
func openLoaded(t *testing.T, events []domain.IncidentEvent) *Repository {
	t.Helper()
	dsn := newDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, Load(ctx, dsn, Events(events), LoadOptions{}))
	repo, err := Open(dsn, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = repo.Close() })
	return repo
}

func TestRepositoryContract(t *testing.T) {
	requireDatabase(t)
	porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		return openLoaded(t, events)
	})
}
