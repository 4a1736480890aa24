package app_test

import (
	"testing"

	"github.com/contextapi/contextapi/internal/adapters/memory"
	"github.com/contextapi/contextapi/internal/app/apptest"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// TestContextScenarios runs the context use cases over the memory repository; package
// postgres runs the same scenarios over PostgreSQL.
func TestContextScenarios(t *testing.T) {
	apptest.RunContext(t, func(t *testing.T, events []domain.IncidentEvent) ports.Repository {
		return memory.NewRepository(events)
	})
}
