package contextapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/contextapi/contextapi/internal/adapters/mcp"
	"github.com/contextapi/contextapi/internal/app"
)

// newMCPHandler serves the MCP tools over the same service as the HTTP API, each call
// bounded by request_timeout like an /api/* request (the SDK does not pass the HTTP
// request's deadline on to every tool call).
func newMCPHandler(svc *app.Service, requestTimeout time.Duration, logger *slog.Logger) http.Handler {
	return mcp.NewHTTPHandler(mcp.NewServer(mcp.NewService(svc), mcp.Options{
		CallTimeout: requestTimeout,
		Logger:      logger,
	}))
}
