package httpapi

import (
	"net/http"

	// Aliased: the package tests declare a problem type of their own.
	problems "github.com/contextapi/contextapi/internal/problem"
)

const contentTypeProblem = "application/problem+json"

// statusClientClosedRequest is the non-standard status nginx made common for requests
// the client abandoned.
const statusClientClosedRequest = problems.StatusClientClosedRequest

// problemResponse is an RFC 9457 problem document as docs/api.md §3 defines it.
type problemResponse struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail"`
	Instance  string               `json:"instance"`
	RequestID string               `json:"request_id"`
	Errors    []fieldErrorResponse `json:"errors,omitempty"` // validation failures only
	Checks    []checkResponse      `json:"checks,omitempty"` // failed readiness with ?verbose only
}

// fieldErrorResponse names one invalid input and why it is invalid.
type fieldErrorResponse struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// problemKind is one kind of problem (internal/problem holds those the domain's errors
// map to, shared with the MCP adapter); this package adds the kinds only HTTP has.
type problemKind = problems.Kind

// The problem kinds this API names itself; the others come from problems.Of.
var (
	kindInvalidArgument = problems.InvalidArgument
	kindNoRoute         = problemKind{
		Type: problems.NotFound.Type, Status: http.StatusNotFound,
		Title: "Not found", Detail: "No endpoint exists at this path.",
	}
	kindMethodNotAllowed = problemKind{
		Type: "urn:contextapi:problem:method-not-allowed", Status: http.StatusMethodNotAllowed,
		Title: "Method not allowed", Detail: "This endpoint does not support the request method; the Allow header lists those it does.",
	}
	kindPayloadTooLarge = problemKind{
		Type: "urn:contextapi:problem:payload-too-large", Status: http.StatusRequestEntityTooLarge,
		Title: "Payload too large", Detail: "The request body exceeds 65536 bytes.",
	}
	kindUnsupportedMediaType = problemKind{
		Type: "urn:contextapi:problem:unsupported-media-type", Status: http.StatusUnsupportedMediaType,
		Title: "Unsupported media type", Detail: "The request body must be application/json.",
	}
	kindUnavailable = problems.Unavailable
	kindRateLimited = problemKind{
		Type: "urn:contextapi:problem:rate-limited", Status: http.StatusTooManyRequests,
		Title: "Too many requests", Detail: "The caller has spent its request budget; retry after the delay Retry-After gives.",
	}
	kindOverloaded   = problems.Overloaded
	kindShuttingDown = problemKind{
		Type: problems.Unavailable.Type, Status: http.StatusServiceUnavailable,
		Title: "Service unavailable", Detail: "This replica is shutting down and stopped the request; retry, another replica will answer.",
	}
	kindInternal = problems.Internal
)

// kindOfStatus describes a status for which this API has no kind of its own (an Echo
// error we do not produce today). RFC 9457 §4.2.1: "about:blank" with the status text.
func kindOfStatus(status int) problemKind {
	k := problemKind{Type: "about:blank", Status: status, Title: http.StatusText(status)}
	if k.Title == "" {
		k.Title = "Error"
	}
	k.Detail = k.Title + "."
	if status >= http.StatusInternalServerError {
		k.Detail = kindInternal.Detail
	}
	return k
}
