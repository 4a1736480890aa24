package domain

import (
	"errors"
	"fmt"
)

// Error kinds. Adapters translate their own failures into these at their edge; the HTTP
// adapter maps them to status codes.
var (
	// ErrNotFound: the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalidArgument: the request is malformed; FieldErrors say where.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrUnavailable: a dependency (the database, an authentication backend) cannot
	// answer now; retrying may help.
	ErrUnavailable = errors.New("unavailable")
	// ErrOverloaded: the service admits no more work of this kind now (too many queries
	// under way); retrying later may help. It is an ErrUnavailable too, so a cached answer
	// past its freshness may still serve.
	ErrOverloaded = fmt.Errorf("overloaded: %w", ErrUnavailable)
	// ErrUnauthenticated: the request carries no credentials, or credentials that
	// identify nobody (unknown, expired, meant for another audience).
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the credentials identify a principal who may not read.
	ErrForbidden = errors.New("forbidden")
)

// FieldError says which input field is wrong and why.
type FieldError struct {
	Field  string
	Reason string
}

// Error renders "field: reason".
func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// Unwrap makes every FieldError an ErrInvalidArgument.
func (e *FieldError) Unwrap() error { return ErrInvalidArgument }

// ValidationError gathers every field error of one request, so a client learns all its
// mistakes at once.
type ValidationError struct {
	Fields []FieldError
}

// Error joins the field errors.
func (e *ValidationError) Error() string {
	msg := "invalid argument"
	for i, f := range e.Fields {
		if i == 0 {
			msg += ": "
		} else {
			msg += "; "
		}
		msg += f.Error()
	}
	return msg
}

// Unwrap makes a ValidationError an ErrInvalidArgument.
func (e *ValidationError) Unwrap() error { return ErrInvalidArgument }

// Add records one more field error.
func (e *ValidationError) Add(field, reason string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Reason: reason})
}

// Err returns e when it holds at least one field error, else nil.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}
