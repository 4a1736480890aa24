package client

import (
	"net/url"
	"strconv"
	"time"
)

// Filters select incidents (docs/api.md §3.1); the list, similar incidents, semantic
// search and the aggregations all take them. Several values of one filter mean any of
// them; different filters must all hold. Values match exactly, case included; an empty
// slice is no filter.
type Filters struct {
	Namespace   []string
	ClusterName []string
	// Environment: production, staging, development or test.
	Environment []string
	ActionType  []string
	Severity    []string
	// Phase: pending, processing, completed or failed (failed includes rolled-back).
	Phase  []string
	Status []string
	// Name is the alert name, such as HighMemoryUsage.
	Name             []string
	AlertFingerprint []string
	// Since (inclusive) and Until (exclusive) bound the start time; zero is no bound.
	Since time.Time
	Until time.Time
}

// fields pairs each filter with its parameter name, in the order the API lists them.
func (f *Filters) fields() []struct {
	name   string
	values []string
} {
	return []struct {
		name   string
		values []string
	}{
		{"namespace", f.Namespace}, {"cluster_name", f.ClusterName}, {"environment", f.Environment},
		{"action_type", f.ActionType}, {"severity", f.Severity}, {"phase", f.Phase},
		{"status", f.Status}, {"name", f.Name}, {"alert_fingerprint", f.AlertFingerprint},
	}
}

// addTo adds the filters to a query string.
func (f *Filters) addTo(q url.Values) {
	for _, field := range f.fields() {
		for _, v := range field.values {
			q.Add(field.name, v)
		}
	}
	if !f.Since.IsZero() {
		q.Set("since", f.Since.Format(time.RFC3339Nano))
	}
	if !f.Until.IsZero() {
		q.Set("until", f.Until.Format(time.RFC3339Nano))
	}
}

// body is the filters as the semantic search's filters member: each filter an array of
// strings, the bounds RFC 3339 strings; nil when no filter is set.
func (f *Filters) body() map[string]any {
	out := map[string]any{}
	for _, field := range f.fields() {
		if len(field.values) > 0 {
			out[field.name] = field.values
		}
	}
	if !f.Since.IsZero() {
		out["since"] = f.Since.Format(time.RFC3339Nano)
	}
	if !f.Until.IsZero() {
		out["until"] = f.Until.Format(time.RFC3339Nano)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// setInt sets name to n unless n is zero, which leaves the service's default.
func setInt(q url.Values, name string, n int) {
	if n != 0 {
		q.Set(name, strconv.Itoa(n))
	}
}

// setFloat sets name to *v unless v is nil, which leaves the service's default.
func setFloat(q url.Values, name string, v *float64) {
	if v != nil {
		// 'f', never an exponent: the service reads plain decimals.
		q.Set(name, strconv.FormatFloat(*v, 'f', -1, 64))
	}
}
