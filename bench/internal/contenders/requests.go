package contenders

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/bench/internal/statements"
)

// Request parsing of the baselines: the subset of docs/api.md §3 the workloads use, with
// the service's canonical forms, and errors (never panics) for anything else.

// filterParams maps each filter parameter to its field.
var filterParams = map[string]func(*statements.Filter) *[]string{
	"namespace":         func(f *statements.Filter) *[]string { return &f.Namespaces },
	"cluster_name":      func(f *statements.Filter) *[]string { return &f.ClusterNames },
	"environment":       func(f *statements.Filter) *[]string { return &f.Environments },
	"action_type":       func(f *statements.Filter) *[]string { return &f.ActionTypes },
	"severity":          func(f *statements.Filter) *[]string { return &f.Severities },
	"status":            func(f *statements.Filter) *[]string { return &f.Statuses },
	"name":              func(f *statements.Filter) *[]string { return &f.Names },
	"alert_fingerprint": func(f *statements.Filter) *[]string { return &f.Fingerprints },
	"phase":             func(f *statements.Filter) *[]string { return &f.Phases },
}

// parseFilter reads the filter parameters of q; other names must be in extra.
func parseFilter(q url.Values, extra ...string) (statements.Filter, error) {
	var f statements.Filter
	for name, values := range q {
		if field, ok := filterParams[name]; ok {
			*field(&f) = canonical(values)
			continue
		}
		switch name {
		case "since", "until":
			if len(values) != 1 {
				return f, fmt.Errorf("%s: one value", name)
			}
			t, err := time.Parse(time.RFC3339Nano, values[0])
			if err != nil {
				return f, fmt.Errorf("%s: not an RFC 3339 time", name)
			}
			t = t.UTC()
			if name == "since" {
				f.Since = &t
			} else {
				f.Until = &t
			}
		default:
			if !slices.Contains(extra, name) {
				return f, fmt.Errorf("unknown parameter %q", name)
			}
		}
	}
	for _, p := range f.Phases {
		if !statements.KnownPhase(p) {
			return f, errors.New("phase: unknown")
		}
	}
	return f, nil
}

// canonical sorts and deduplicates values, as the service's app layer does.
func canonical(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return slices.Compact(out)
}

// intParam reads an integer parameter in [lo, hi], def when absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: must be between %d and %d", name, lo, hi)
	}
	return n, nil
}

// listQuery is a parsed list request.
type listQuery struct {
	f             statements.Filter
	limit, offset int
	after         *statements.Position
}

func parseListQuery(q url.Values) (listQuery, error) {
	var lq listQuery
	var err error
	if lq.f, err = parseFilter(q, "limit", "offset", "cursor"); err != nil {
		return lq, err
	}
	if lq.limit, err = intParam(q, "limit", 10, 1, 100); err != nil {
		return lq, err
	}
	if lq.offset, err = intParam(q, "offset", 0, 0, 10_000); err != nil {
		return lq, err
	}
	if c := q.Get("cursor"); c != "" {
		p, err := decodeCursor(c)
		if err != nil {
			return lq, err
		}
		lq.after = &p
	}
	return lq, nil
}

// B1's cursor: the position in plain base64 (B1 is a baseline; it signs nothing).
func encodeCursor(p statements.Position) string {
	var b [16]byte
	// The int64s travel as their two's-complement bits; decodeCursor reads them back exactly.
	binary.BigEndian.PutUint64(b[:8], uint64(p.Time.UnixMicro()))
	binary.BigEndian.PutUint64(b[8:], uint64(p.ID)) // #nosec G115 -- bit pattern, not a value: decodeCursor reverses it
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func decodeCursor(s string) (statements.Position, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return statements.Position{}, errors.New("cursor: malformed")
	}
	return statements.Position{
		Time: time.UnixMicro(int64(binary.BigEndian.Uint64(b[:8]))).UTC(), // #nosec G115 -- encodeCursor's bits, as above
		ID:   int64(binary.BigEndian.Uint64(b[8:])),                       // #nosec G115 -- encodeCursor's bits; an id no row has finds nothing
	}, nil
}

// searchBody is a semantic search request (docs/api.md §3.3).
type searchBody struct {
	Embedding      []float64                  `json:"embedding"`
	QueryEmbedding []float64                  `json:"query_embedding"`
	Limit          *int                       `json:"limit"`
	Threshold      *float64                   `json:"threshold"`
	Filters        map[string]json.RawMessage `json:"filters"`
}

// SearchQuery is a parsed search request.
type SearchQuery struct {
	Vec       string // pgvector's text form
	Filter    statements.Filter
	Limit     int
	Threshold float64
}

// ParseSearch reads a search request body as the service does.
func ParseSearch(body []byte) (SearchQuery, error) {
	var b searchBody
	sq := SearchQuery{Limit: 10, Threshold: 0.7}
	if err := json.Unmarshal(body, &b); err != nil {
		return sq, errors.New("body: not a search request")
	}
	emb := b.Embedding
	if emb == nil {
		emb = b.QueryEmbedding
	}
	if len(emb) != 384 {
		return sq, errors.New("embedding: must have 384 numbers")
	}
	sq.Vec = VectorText(emb)
	if b.Limit != nil {
		if *b.Limit < 1 || *b.Limit > 50 {
			return sq, errors.New("limit: must be between 1 and 50")
		}
		sq.Limit = *b.Limit
	}
	if b.Threshold != nil {
		if !(*b.Threshold >= 0 && *b.Threshold <= 1) {
			return sq, errors.New("threshold: must be between 0 and 1")
		}
		sq.Threshold = *b.Threshold
	}
	q := url.Values{}
	for name, raw := range b.Filters {
		var one string
		var many []string
		switch {
		case json.Unmarshal(raw, &one) == nil:
			q[name] = []string{one}
		case json.Unmarshal(raw, &many) == nil:
			q[name] = many
		default:
			return sq, fmt.Errorf("filters.%s: a string or an array of strings", name)
		}
	}
	var err error
	sq.Filter, err = parseFilter(q)
	return sq, err
}

// VectorText renders a vector in pgvector's text form, float32 precision as stored.
func VectorText(v []float64) string {
	var b strings.Builder
	b.Grow(len(v) * 12)
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			x = 0
		}
		b.WriteString(strconv.FormatFloat(float64(float32(x)), 'g', -1, 32))
	}
	b.WriteByte(']')
	return b.String()
}
