package app

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/contextapi/contextapi/internal/domain"
)

// maxFilterValueBytes bounds every filter value: longer than any column it could match.
const maxFilterValueBytes = 256

// Filter parameter names of docs/api.md §3.1, shared by list, aggregations and search.
const (
	paramNamespace        = "namespace"
	paramClusterName      = "cluster_name"
	paramEnvironment      = "environment"
	paramActionType       = "action_type"
	paramSeverity         = "severity"
	paramPhase            = "phase"
	paramStatus           = "status"
	paramName             = "name"
	paramAlertFingerprint = "alert_fingerprint"
	paramSince            = "since"
	paramUntil            = "until"
)

// filterParams lists the names parseFilter consumes.
var filterParams = []string{
	paramNamespace, paramClusterName, paramEnvironment, paramActionType, paramSeverity,
	paramPhase, paramStatus, paramName, paramAlertFingerprint, paramSince, paramUntil,
}

// paramReader reads raw parameters, collecting every problem in one ValidationError.
type paramReader struct {
	params  Params
	allowed [][]string // the names the endpoint takes, in groups
	errs    *domain.ValidationError
}

func newParamReader(p Params, names ...[]string) *paramReader {
	return &paramReader{params: p, allowed: names, errs: &domain.ValidationError{}}
}

// takes reports whether the endpoint takes parameter name. A scan of a dozen names
// costs less than building a set on every request.
func (r *paramReader) takes(name string) bool {
	for _, group := range r.allowed {
		for _, n := range group {
			if n == name {
				return true
			}
		}
	}
	return false
}

// rejectUnknown reports every parameter the endpoint does not take: a typo must not
// silently widen a query.
func (r *paramReader) rejectUnknown() {
	for _, name := range sortedKeys(r.params) {
		if !r.takes(name) {
			r.errs.Add(fieldName(name), "unknown parameter")
		}
	}
}

// single returns the one value of name; given more than once is an error.
func (r *paramReader) single(name string) (string, bool) {
	vals, ok := r.params[name]
	if !ok {
		return "", false
	}
	if len(vals) != 1 {
		r.errs.Add(name, "must be given at most once")
		return "", false
	}
	return vals[0], true
}

// intIn parses name as an integer in [lo, hi], or returns def when absent.
func (r *paramReader) intIn(name string, def, lo, hi int) int {
	s, ok := r.single(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || strings.HasPrefix(s, "+") {
		r.errs.Add(name, "must be an integer")
		return def
	}
	if n < lo || n > hi {
		r.errs.Add(name, "must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
		return def
	}
	return n
}

// floatIn parses name as a finite number in [lo, hi], or returns def when absent.
func (r *paramReader) floatIn(name string, def, lo, hi float64) float64 {
	s, ok := r.single(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		r.errs.Add(name, "must be a number")
		return def
	}
	if !(f >= lo && f <= hi) { // also rejects NaN
		r.errs.Add(name, "must be between "+formatFloat(lo)+" and "+formatFloat(hi))
		return def
	}
	return f
}

// strings returns the checked, sorted, deduplicated values of a multi-valued filter.
func (r *paramReader) strings(name string) []string {
	vals := r.params[name]
	if len(vals) == 0 {
		return nil
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if reason := checkValue(v); reason != "" {
			r.errs.Add(name, reason)
			return nil
		}
		out = append(out, v)
	}
	return canonical(out)
}

// time parses name as an RFC 3339 time, normalised to UTC.
func (r *paramReader) time(name string) *time.Time {
	s, ok := r.single(name)
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.errs.Add(name, "must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z")
		return nil
	}
	t = t.UTC()
	return &t
}

// checkValue returns why a filter value is unacceptable, or "".
func checkValue(v string) string {
	switch {
	case len(v) > maxFilterValueBytes:
		return "must be at most 256 bytes"
	case !utf8.ValidString(v):
		return "must be valid UTF-8"
	case strings.ContainsRune(v, 0):
		return "must not contain NUL"
	}
	return ""
}

// fieldName makes a client-supplied parameter name safe to echo in a problem document
// and a log line: odd bytes and control characters come back quoted.
func fieldName(name string) string {
	name = truncate(name, 64)
	if checkValue(name) != "" || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.QuoteToASCII(name)
	}
	return name
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
