//go:build wireinject

package contextapi

import (
	"log/slog"

	"github.com/google/wire"
)

// InitializeApp assembles the service for cfg.
func InitializeApp(cfg Config, logger *slog.Logger) (*App, func(), error) {
	wire.Build(appSet)
	return nil, nil, nil
}
