package cache

import (
	"encoding/json"
	"fmt"

	"github.com/contextapi/contextapi/internal/domain"
)

// An incident's Metadata is raw JSON, which encoding/json compacts when it encodes it:
// the shared tier would hand other processes different bytes than the database gave.
// It travels as a JSON string instead, whose contents nothing rewrites.

// quoteMetadata returns v with every incident's Metadata as a JSON string, in copies
// (cached values are shared and immutable).
func quoteMetadata(v any) any {
	quote := func(e domain.IncidentEvent) domain.IncidentEvent {
		if e.Metadata != nil {
			e.Metadata, _ = json.Marshal(string(e.Metadata)) // a string always encodes
		}
		return e
	}
	switch v := v.(type) {
	case domain.IncidentEvent:
		return quote(v)
	case domain.IncidentPage:
		out := v
		out.Incidents = make([]domain.IncidentEvent, len(v.Incidents))
		for i, e := range v.Incidents {
			out.Incidents[i] = quote(e)
		}
		if v.Incidents == nil {
			out.Incidents = nil
		}
		return out
	case []domain.ScoredIncident:
		if v == nil {
			return v
		}
		out := make([]domain.ScoredIncident, len(v))
		for i, f := range v {
			out[i] = domain.ScoredIncident{Incident: quote(f.Incident), Similarity: f.Similarity}
		}
		return out
	}
	return v
}

// unquoteMetadata undoes quoteMetadata on a freshly decoded value (which it owns).
func unquoteMetadata(v any) (any, error) {
	var err error
	unquote := func(e *domain.IncidentEvent) {
		if e.Metadata == nil || err != nil {
			return
		}
		var s string
		if jerr := json.Unmarshal(e.Metadata, &s); jerr != nil {
			err = fmt.Errorf("cache: decode a shared entry: metadata of incident %d: %w", e.ID, jerr)
			return
		}
		e.Metadata = json.RawMessage(s)
	}
	switch v := v.(type) {
	case domain.IncidentEvent:
		unquote(&v)
		return v, err
	case domain.IncidentPage:
		for i := range v.Incidents {
			unquote(&v.Incidents[i])
		}
		return v, err
	case []domain.ScoredIncident:
		for i := range v {
			unquote(&v[i].Incident)
		}
		return v, err
	}
	return v, nil
}
