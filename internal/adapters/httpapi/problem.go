package httpapi

import "net/http"

const contentTypeProblem = "application/problem+json"

// statusClientClosedRequest is the non-standard status nginx made common for requests
// the client abandoned.
const statusClientClosedRequest = 499

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

// problemKind is one kind of problem: a stable type URI clients may switch on, its
// status, title, and the detail given when nothing more specific (and safe) is known.
type problemKind struct {
	typeURI string
	status  int
	title   string
	detail  string
}

// The problem kinds this API answers with.
var (
	kindInvalidArgument = problemKind{
		"urn:contextapi:problem:invalid-argument", http.StatusBadRequest,
		"Invalid argument", "The request is invalid.",
	}
	kindNotFound = problemKind{
		"urn:contextapi:problem:not-found", http.StatusNotFound,
		"Not found", "The requested resource does not exist.",
	}
	kindNoRoute = problemKind{
		"urn:contextapi:problem:not-found", http.StatusNotFound,
		"Not found", "No endpoint exists at this path.",
	}
	kindMethodNotAllowed = problemKind{
		"urn:contextapi:problem:method-not-allowed", http.StatusMethodNotAllowed,
		"Method not allowed", "This endpoint does not support the request method; the Allow header lists those it does.",
	}
	kindPayloadTooLarge = problemKind{
		"urn:contextapi:problem:payload-too-large", http.StatusRequestEntityTooLarge,
		"Payload too large", "The request body exceeds 65536 bytes.",
	}
	kindUnsupportedMediaType = problemKind{
		"urn:contextapi:problem:unsupported-media-type", http.StatusUnsupportedMediaType,
		"Unsupported media type", "The request body must be application/json.",
	}
	kindUnavailable = problemKind{
		"urn:contextapi:problem:unavailable", http.StatusServiceUnavailable,
		"Service unavailable", "The service cannot answer now; retry after the delay Retry-After gives.",
	}
	kindUnauthenticated = problemKind{
		"urn:contextapi:problem:unauthenticated", http.StatusUnauthorized,
		"Unauthenticated", "The request needs valid credentials: a bearer token the service accepts (WWW-Authenticate says which problem it found), or a verified client certificate.",
	}
	kindForbidden = problemKind{
		"urn:contextapi:problem:forbidden", http.StatusForbidden,
		"Forbidden", "The credentials are valid, but their principal may not read this service's data.",
	}
	kindRateLimited = problemKind{
		"urn:contextapi:problem:rate-limited", http.StatusTooManyRequests,
		"Too many requests", "The caller has spent its request budget; retry after the delay Retry-After gives.",
	}
	kindOverloaded = problemKind{
		"urn:contextapi:problem:overloaded", http.StatusServiceUnavailable,
		"Service overloaded", "The service is running as many database queries as it admits; retry after the delay Retry-After gives.",
	}
	kindShuttingDown = problemKind{
		"urn:contextapi:problem:unavailable", http.StatusServiceUnavailable,
		"Service unavailable", "This replica is shutting down and stopped the request; retry, another replica will answer.",
	}
	// kindClientClosed is nginx's 499: the client went away, so nobody reads this answer;
	// the status keeps such requests out of the 5xx that page people.
	kindClientClosed = problemKind{
		"urn:contextapi:problem:client-closed-request", statusClientClosedRequest,
		"Client closed request", "The client closed the connection before the answer was ready.",
	}
	kindInternal = problemKind{
		"urn:contextapi:problem:internal", http.StatusInternalServerError,
		"Internal error", "The request failed because of an internal error; quote the request id when reporting it.",
	}
)

// kindOfStatus describes a status for which this API has no kind of its own (an Echo
// error we do not produce today). RFC 9457 §4.2.1: "about:blank" with the status text.
func kindOfStatus(status int) problemKind {
	k := problemKind{typeURI: "about:blank", status: status, title: http.StatusText(status)}
	if k.title == "" {
		k.title = "Error"
	}
	k.detail = k.title + "."
	if status >= http.StatusInternalServerError {
		k.detail = kindInternal.detail
	}
	return k
}
