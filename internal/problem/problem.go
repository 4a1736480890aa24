// Package problem names the kinds of refusal contextapi answers with (docs/api.md §3):
// a stable type URI, a status, a title and a generic detail per kind, and the one
// classification of domain errors into kinds. The HTTP API renders them as RFC 9457
// problem documents; the MCP server as tool errors. Keeping the mapping here means both
// say the same thing about the same failure.
package problem

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/contextapi/contextapi/internal/domain"
)

// StatusClientClosedRequest is the non-standard status nginx made common for requests
// the client abandoned.
const StatusClientClosedRequest = 499

// Kind is one kind of problem: a stable type URI clients may switch on, its status,
// title, and the detail given when nothing more specific (and safe) is known.
type Kind struct {
	Type   string
	Status int
	Title  string
	Detail string
}

// The kinds the domain's errors map to.
var (
	InvalidArgument = Kind{
		"urn:contextapi:problem:invalid-argument", http.StatusBadRequest,
		"Invalid argument", "The request is invalid.",
	}
	NotFound = Kind{
		"urn:contextapi:problem:not-found", http.StatusNotFound,
		"Not found", "The requested resource does not exist.",
	}
	Unavailable = Kind{
		"urn:contextapi:problem:unavailable", http.StatusServiceUnavailable,
		"Service unavailable", "The service cannot answer now; retry after the delay Retry-After gives.",
	}
	Unauthenticated = Kind{
		"urn:contextapi:problem:unauthenticated", http.StatusUnauthorized,
		"Unauthenticated", "The request needs valid credentials: a bearer token the service accepts (WWW-Authenticate says which problem it found), or a verified client certificate.",
	}
	Forbidden = Kind{
		"urn:contextapi:problem:forbidden", http.StatusForbidden,
		"Forbidden", "The credentials are valid, but their principal may not read this service's data.",
	}
	Overloaded = Kind{
		"urn:contextapi:problem:overloaded", http.StatusServiceUnavailable,
		"Service overloaded", "The service is running as many database queries as it admits; retry after the delay Retry-After gives.",
	}
	// ClientClosed is nginx's 499: the client went away, so nobody reads this answer;
	// the status keeps such requests out of the 5xx that page people.
	ClientClosed = Kind{
		"urn:contextapi:problem:client-closed-request", StatusClientClosedRequest,
		"Client closed request", "The client closed the connection before the answer was ready.",
	}
	Internal = Kind{
		"urn:contextapi:problem:internal", http.StatusInternalServerError,
		"Internal error", "The request failed because of an internal error; quote the request id when reporting it.",
	}
)

// kinds maps error kinds to problems, first match wins: the domain's kinds, then
// context errors that reach us untranslated. A cancelled context means the client left;
// a deadline means something of ours timed out, which retrying may cure.
var kinds = []struct {
	err  error
	kind Kind
}{
	{domain.ErrInvalidArgument, InvalidArgument},
	{domain.ErrNotFound, NotFound},
	{domain.ErrUnauthenticated, Unauthenticated},
	{domain.ErrForbidden, Forbidden},
	{domain.ErrOverloaded, Overloaded}, // before ErrUnavailable, which it wraps
	{domain.ErrUnavailable, Unavailable},
	{context.Canceled, ClientClosed},
	{context.DeadlineExceeded, Unavailable},
}

// Of classifies err by the domain's and the context's error kinds; ok is false when
// none matches (the caller decides: Internal, or a kind of its own).
func Of(err error) (Kind, bool) {
	for _, m := range kinds {
		if errors.Is(err, m.err) {
			return m.kind, true
		}
	}
	return Kind{}, false
}

// FieldErrors lists the invalid fields err names, in the order the app found them.
func FieldErrors(err error) []domain.FieldError {
	var ve *domain.ValidationError
	var fe *domain.FieldError
	switch {
	case errors.As(err, &ve):
		return ve.Fields
	case errors.As(err, &fe):
		return []domain.FieldError{*fe}
	}
	return nil
}

// ValidationDetail sums field errors up in one sentence for people (and models) reading
// the problem: "limit: must be between 1 and 100; since: must be an RFC 3339 time".
func ValidationDetail(fields []domain.FieldError) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return strings.Join(parts, "; ")
}

// Describe is what a caller is told about err: its kind (Internal when unrecognised)
// and the detail, which names every invalid field of a validation error and is the
// kind's generic detail otherwise, so internal text (SQL, driver messages) never leaks.
func Describe(err error) (Kind, string) {
	k, ok := Of(err)
	if !ok {
		return Internal, Internal.Detail
	}
	if k.Status == http.StatusBadRequest {
		if fields := FieldErrors(err); len(fields) > 0 {
			return k, ValidationDetail(fields)
		}
	}
	return k, k.Detail
}
