package mcp

import (
	"context"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/contextapi/contextapi/internal/problem"
)

// sdkValidationPrefix starts the tool error the SDK answers with when arguments break
// the input schema, before any tool handler runs.
const sdkValidationPrefix = `validating "arguments": `

// titledValidationErrors gives the SDK's schema-validation tool errors the title every
// other tool error has ("Invalid argument: ..."), so a client reads one form of refusal
// whoever refused.
func titledValidationErrors(next sdk.MethodHandler) sdk.MethodHandler {
	return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
		res, err := next(ctx, method, req)
		r, ok := res.(*sdk.CallToolResult)
		if err != nil || !ok || !r.IsError || len(r.Content) != 1 {
			return res, err
		}
		if tc, ok := r.Content[0].(*sdk.TextContent); ok && strings.HasPrefix(tc.Text, sdkValidationPrefix) {
			detail := strings.TrimPrefix(tc.Text, sdkValidationPrefix)
			detail = strings.TrimPrefix(detail, "validating root: ")
			tc.Text = problem.InvalidArgument.Title + ": " + detail
		}
		return res, err
	}
}
