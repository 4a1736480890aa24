package mcp

import (
	"net/http"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxRequestBytes bounds an MCP request body like the HTTP API's (64 KiB): a tool call
// is a few hundred bytes.
const maxRequestBytes = 64 << 10

// NewHTTPHandler serves s on the streamable HTTP transport, stateless: every POST is a
// whole exchange, with no session to remember, so any replica behind a load balancer
// can answer any request without sticky sessions, and answers are plain JSON rather
// than event streams. The caller mounts it (at /mcp) behind its own authentication.
func NewHTTPHandler(s *sdk.Server) http.Handler {
	return sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s }, &sdk.StreamableHTTPOptions{
		Stateless:           true,
		JSONResponse:        true,
		MaxRequestBodyBytes: maxRequestBytes,
	})
}
