package client

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The kinds of refusal, for errors.Is: a *Problem matches the one its type (or, for a
// problem of no type of the service's, its status) stands for.
var (
	// ErrNotFound: the incident, remediation request or object history does not exist (404).
	ErrNotFound = errors.New("contextapi: not found")
	// ErrInvalid: the request breaks a rule of the API (400; also 413 and 415, a body
	// too large or not JSON). The problem's Errors name every invalid field.
	ErrInvalid = errors.New("contextapi: invalid request")
	// ErrUnauthorized: no valid credentials (401).
	ErrUnauthorized = errors.New("contextapi: unauthorized")
	// ErrForbidden: valid credentials whose principal may not read (403).
	ErrForbidden = errors.New("contextapi: forbidden")
	// ErrUnavailable: the service cannot answer now, being overloaded, without its
	// database, not ready, or shutting down (503); see RetryAfter.
	ErrUnavailable = errors.New("contextapi: unavailable")
	// ErrRateLimited: the caller has spent its request budget (429); see RetryAfter.
	ErrRateLimited = errors.New("contextapi: rate limited")
)

// Problem is the service's refusal of a request: an RFC 9457 problem document
// (docs/api.md §3), or, for an error answer that is not one (a proxy's page), its status.
// Switch on Type or match with errors.Is; Detail is for people and may change.
type Problem struct {
	// Type is a stable URI per kind of problem (urn:contextapi:problem:not-found, ...),
	// "about:blank" when the answer was not a problem document.
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	// Detail says what went wrong, for people.
	Detail string `json:"detail"`
	// Instance is the request's path.
	Instance string `json:"instance"`
	// RequestID finds the request in the service's logs; quote it when reporting a fault.
	RequestID string `json:"request_id"`
	// Errors names every invalid input of a 400.
	Errors []FieldError `json:"errors,omitempty"`
	// Checks lists the readiness checks of a failed readiness probe asked to be verbose.
	Checks []Check `json:"checks,omitempty"`
	// RetryAfter is the pause the service asked for before a retry (its Retry-After
	// header, sent with 503 and 429); zero when none.
	RetryAfter time.Duration `json:"-"`
}

// FieldError names one invalid input and why it is invalid.
type FieldError struct {
	// Field is a query parameter, a body member (filters.namespace), "id" for the path,
	// "query" for an unparsable query string or "body" for an unparsable body.
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error reads "contextapi: 404 Not found: Incident 7 does not exist. (request id ...)".
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString("contextapi: " + strconv.Itoa(p.Status) + " " + p.Title)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	if p.RequestID != "" {
		b.WriteString(" (request id " + p.RequestID + ")")
	}
	return b.String()
}

// problemKinds maps the service's problem types onto the sentinels; statusKinds does
// the same for a problem of another type, such as a proxy's 503.
var (
	problemKinds = map[string]error{
		"urn:contextapi:problem:not-found":              ErrNotFound,
		"urn:contextapi:problem:invalid-argument":       ErrInvalid,
		"urn:contextapi:problem:payload-too-large":      ErrInvalid,
		"urn:contextapi:problem:unsupported-media-type": ErrInvalid,
		"urn:contextapi:problem:unauthenticated":        ErrUnauthorized,
		"urn:contextapi:problem:forbidden":              ErrForbidden,
		"urn:contextapi:problem:unavailable":            ErrUnavailable,
		"urn:contextapi:problem:overloaded":             ErrUnavailable,
		"urn:contextapi:problem:rate-limited":           ErrRateLimited,
	}
	statusKinds = map[int]error{
		http.StatusNotFound:              ErrNotFound,
		http.StatusBadRequest:            ErrInvalid,
		http.StatusRequestEntityTooLarge: ErrInvalid,
		http.StatusUnsupportedMediaType:  ErrInvalid,
		http.StatusUnauthorized:          ErrUnauthorized,
		http.StatusForbidden:             ErrForbidden,
		http.StatusServiceUnavailable:    ErrUnavailable,
		http.StatusTooManyRequests:       ErrRateLimited,
	}
)

// Is reports whether target is the sentinel of p's kind, so that errors.Is(err,
// ErrNotFound) holds for a 404 problem.
func (p *Problem) Is(target error) bool {
	kind, ok := problemKinds[p.Type]
	if !ok {
		kind = statusKinds[p.Status]
	}
	return kind != nil && kind == target
}

// maxProblemBytes bounds how much of an error answer is read: a problem document is
// small, a misconfigured proxy's page need not be.
const maxProblemBytes = 64 << 10

// readProblem turns an error answer into a *Problem. An answer that is not a problem
// document keeps its status and, as the detail, the start of its text, which usually
// says which proxy or server answered instead of the service.
func readProblem(resp *http.Response) *Problem {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxProblemBytes))
	p := &Problem{}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mediaType != "application/problem+json" && mediaType != "application/json" || json.Unmarshal(body, p) != nil {
		p = &Problem{Type: "about:blank", Detail: snippet(body)}
	}
	p.Status = resp.StatusCode // the status line wins over a body that disagrees
	if p.Type == "" {
		p.Type = "about:blank" // RFC 9457 §3.1.1: no type means this one
	}
	if p.Title == "" {
		p.Title = http.StatusText(resp.StatusCode)
	}
	if p.RequestID == "" {
		p.RequestID = resp.Header.Get("X-Request-Id")
	}
	p.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return p
}

// snippet is the start of a body as one line of text.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "")), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
