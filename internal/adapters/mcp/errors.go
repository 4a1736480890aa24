package mcp

import (
	"context"
	"errors"
	"fmt"

	"github.com/contextapi/contextapi/client"
	"github.com/contextapi/contextapi/internal/problem"
)

// toolError is a failed tool call as the model reads it: the problem's title and
// detail, the words the HTTP API's problem document uses for the same failure.
// Returned from a typed tool handler, the SDK sends it as a tool result with isError
// set, never as a protocol error.
type toolError struct {
	title, detail string
	cause         error
}

func (e *toolError) Error() string { return e.title + ": " + e.detail }
func (e *toolError) Unwrap() error { return e.cause }

// Describe turns a backend's error into a tool error. A refusal of the running service
// (Remote) keeps the service's title and detail; an error of the app (Service) is
// described by the problem kinds the HTTP API uses, so internal text never leaks.
func Describe(err error) error {
	var te *toolError
	if errors.As(err, &te) {
		return te
	}
	var p *client.Problem
	if errors.As(err, &p) {
		return &toolError{title: p.Title, detail: p.Detail, cause: err}
	}
	k, detail := problem.Describe(err)
	return &toolError{title: k.Title, detail: detail, cause: err}
}

// remoteError wraps a failed client call. A call that got no answer from the service
// is said so in full: the agent's user runs `contextapi mcp` on their own machine, and
// the reason (connection refused, a bad certificate) is theirs to fix.
func remoteError(op string, err error) error {
	var p *client.Problem
	if errors.As(err, &p) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("mcp: %s: %w", op, err)
	}
	return &toolError{title: problem.Unavailable.Title, detail: "cannot reach the service: " + err.Error(), cause: err}
}

// isInternal reports whether a described error is a failure of ours rather than of
// the request: the kind worth a log line.
func isInternal(err error) bool {
	var te *toolError
	return errors.As(err, &te) && te.title == problem.Internal.Title
}
