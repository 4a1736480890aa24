package postgres

import (
	"testing"

	"github.com/contextapi/contextapi/internal/app/apptest"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// TestContextScenarios runs the context use cases over PostgreSQL with the events and
// hand-worked answers the memory repository is held to (package app's test of the same
// name): previous attempts with and without a fingerprint, NULL namespaces, exclusion
// before the limit, min_samples, time ranges and includeEmbeddings.
func TestContextScenarios(t *testing.T) {
	requireDatabase(t)
	apptest.RunContext(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		return openLoaded(t, events)
	})
}
