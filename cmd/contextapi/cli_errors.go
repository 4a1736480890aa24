package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"syscall"

	"github.com/contextapi/contextapi/client"
)

// report writes err for people.
func (c *cli) report(w io.Writer, err error) {
	var p *client.Problem
	switch {
	case errors.As(err, &p):
		reportProblem(w, p)
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(w, "Error: no answer from the contextapi service at %s within %s (--timeout)\n", c.serverURL(), c.timeout)
	case isUnreachable(err):
		fmt.Fprintf(w, "Error: cannot reach the contextapi service at %s: %s\n", c.serverURL(), unreachableReason(err))
		fmt.Fprintf(w, "Start one with `contextapi serve`, or name yours with --server or %s.\n", envServer)
	default:
		fmt.Fprintf(w, "Error: %v\n", err)
	}
}

// isUnreachable tells whether err is a request that got no answer: the client's
// transport failures wrap the *url.Error of net/http.
func isUnreachable(err error) bool {
	var urlErr *url.Error
	return errors.As(err, &urlErr)
}

// unreachableReason is why the service could not be reached, in a few words.
func unreachableReason(err error) string {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "connection refused"
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}

// reportProblem writes a problem document: its title and detail, every invalid field by
// the flag that sets it, and the request id to quote when reporting a fault.
func reportProblem(w io.Writer, p *client.Problem) {
	switch {
	case len(p.Errors) > 0:
		fmt.Fprintf(w, "Error: %s:\n", p.Title)
		for _, fe := range p.Errors {
			fmt.Fprintf(w, "  %s: %s\n", fieldName(fe.Field), fe.Reason)
		}
	case p.Detail != "":
		fmt.Fprintf(w, "Error: %s: %s\n", p.Title, p.Detail)
	default:
		fmt.Fprintf(w, "Error: %s\n", p.Title)
	}
	if errors.Is(p, client.ErrUnauthorized) {
		fmt.Fprintf(w, "Give a token with --token-file or %s.\n", envToken)
	}
	if p.RequestID != "" {
		fmt.Fprintf(w, "(HTTP %d, request id %s)\n", p.Status, p.RequestID)
	}
}

// flagOfField maps the API's parameter names onto the flags that set them.
var flagOfField = map[string]string{
	"cluster_name": "cluster-name", "action_type": "action-type", "name": "alert",
	"alert_fingerprint": "alert-fingerprint", "min_samples": "min-samples",
	"targetType": "kind", "targetName": "name", "timeRange": "time-range",
	"id": "the incident ID",
}

// fieldName names an invalid field as the command line spells it: --limit for limit,
// --namespace for the semantic search's filters.namespace.
func fieldName(field string) string {
	field = strings.TrimPrefix(field, "filters.")
	if f, ok := flagOfField[field]; ok {
		if strings.Contains(f, " ") {
			return f
		}
		return "--" + f
	}
	if field == "query" || field == "body" || field == "embedding" {
		return field
	}
	return "--" + field
}

// notFound gives the service's own 404 problem a detail that names what is missing (the
// service's says only that a resource does not exist); any other error, a proxy's 404
// for a wrong --server included, is returned as it is.
func notFound(err error, format string, args ...any) error {
	var p *client.Problem
	if errors.As(err, &p) && p.Type == "urn:contextapi:problem:not-found" {
		q := *p
		q.Detail = fmt.Sprintf(format, args...)
		return &q
	}
	return err
}
