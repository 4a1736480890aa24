package mcp

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/contextapi/contextapi/internal/problem"
)

// sdkValidationPrefix starts the tool error the SDK answers with when arguments break
// the input schema, before any tool handler runs.
const sdkValidationPrefix = `validating "arguments": `

// titledValidationErrors gives the SDK's schema-validation tool errors the title every
// other tool error has ("Invalid argument: ..."), and the app's "field: reason" form,
// so a client reads one form of refusal whoever refused.
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
			tc.Text = problem.InvalidArgument.Title + ": " + readableSchemaError(detail)
		}
		return res, err
	}
}

// schemaReasons rewrite the forms of jsonschema-go's messages an argument's value
// breaks; anything else passes through as the SDK wrote it.
var schemaReasons = []struct {
	form    *regexp.Regexp
	rewrite func(m []string) string
}{
	{regexp.MustCompile(`^maximum: \S+ is greater than (\S+)$`), func(m []string) string { return "must be at most " + plainNumber(m[1]) }},
	{regexp.MustCompile(`^minimum: \S+ is less than (\S+)$`), func(m []string) string { return "must be at least " + plainNumber(m[1]) }},
	{regexp.MustCompile(`^enum: .* does not equal any of: \[(.*)\]$`), func(m []string) string {
		return "must be one of " + strings.Join(strings.Fields(m[1]), ", ")
	}},
	{regexp.MustCompile(`^pattern: .* does not match regular expression (".*")$`), func(m []string) string { return "must match " + m[1] }},
}

var (
	schemaPath       = regexp.MustCompile(`^(?:validating /properties/([^:/]+)(?:/items)?: )+`)
	schemaRequired   = regexp.MustCompile(`^required: missing properties: \["([^"]+)"`)
	schemaAdditional = regexp.MustCompile(`^unexpected additional properties \["([^"]+)"`)
)

// readableSchemaError turns "validating /properties/limit: maximum: 1000/1 is greater
// than 100.000000" into "limit: must be at most 100": an LLM reads the field and the
// bound, not the validator's path and rational numbers.
func readableSchemaError(msg string) string {
	if m := schemaRequired.FindStringSubmatch(msg); m != nil {
		return m[1] + ": is required"
	}
	if m := schemaAdditional.FindStringSubmatch(msg); m != nil {
		return m[1] + ": is not an argument of this tool"
	}
	loc := schemaPath.FindStringSubmatchIndex(msg)
	if loc == nil {
		return msg
	}
	field, reason := msg[loc[2]:loc[3]], msg[loc[1]:]
	for _, r := range schemaReasons {
		if m := r.form.FindStringSubmatch(reason); m != nil {
			reason = r.rewrite(m)
			break
		}
	}
	return field + ": " + reason
}

// plainNumber writes the validator's "100.000000" as 100.
func plainNumber(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
