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
	return openLoadedVia(t, events, false)
}

// openLoadedVia is openLoaded, reaching the database through PgBouncer in transaction
// pooling mode when pooled (the load itself goes direct).
func openLoadedVia(t *testing.T, events []domain.IncidentEvent, pooled bool) *Repository {
	t.Helper()
	dsn := newDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, Load(ctx, dsn, Events(events), LoadOptions{}))
	if pooled {
		dsn = pg.ThroughPooler(t, dsn)
	}
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

// TestRepositoryContractThroughPgBouncer: the same behaviour through a real PgBouncer in
// transaction pooling mode, which rejects unknown startup parameters and hands each
// transaction whichever server session is free.
func TestRepositoryContractThroughPgBouncer(t *testing.T) {
	requireDatabase(t)
	porttest.RunRepository(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		return openLoadedVia(t, events, true)
	})
}
