package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
)

// maxBodyBytes bounds request bodies (docs/api.md §3.3: over 64 KiB → 413). A 384-number
// embedding written with full float32 precision takes about 6 KiB.
const maxBodyBytes = 64 << 10

// Members of the semantic-search body (docs/api.md §3.3).
const (
	memberEmbedding      = "embedding"
	memberQueryEmbedding = "query_embedding" // upstream's name, accepted as an alias
	memberQuery          = "query"           // a text, embedded by the configured embedder
	memberLimit          = "limit"
	memberThreshold      = "threshold"
	memberFilters        = "filters"
	fieldBody            = "body"
)

// limitClamp bounds decoded integers: out-of-range values reach the app as a value it
// rejects with its own range message, instead of overflowing int.
const limitClamp = math.MaxInt32

// readSemanticBody checks the request's media type and size, then decodes its body. It
// also tells whether the vector came as query_embedding, so errors can name that member.
func readSemanticBody(c echo.Context) (req app.SemanticRequest, alias bool, err error) {
	r := c.Request()
	if mt, _, perr := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); perr != nil || mt != contentTypeJSON {
		return req, false, echo.ErrUnsupportedMediaType
	}
	if r.ContentLength > maxBodyBytes {
		return req, false, echo.ErrStatusRequestEntityTooLarge
	}
	body, rerr := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, maxBodyBytes))
	if rerr != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(rerr, &tooLarge) {
			return req, false, echo.ErrStatusRequestEntityTooLarge
		}
		// The client went away or stalled past ReadTimeout: its fault, not a 500.
		ve := &domain.ValidationError{}
		ve.Add(fieldBody, "could not be read completely")
		return req, false, ve
	}
	return decodeSemantic(body)
}

// decodeSemantic turns a JSON body into the app's request. It checks only the shape —
// one JSON object, known members of the right JSON types — naming every offending
// member; lengths, ranges, finiteness and filter values are the app's to judge. Member
// by member decoding (rather than one struct with DisallowUnknownFields) is what lets each
// error name its member, nested filters included.
func decodeSemantic(body []byte) (req app.SemanticRequest, alias bool, err error) {
	ve := &domain.ValidationError{}
	members, reason := decodeObject(body)
	if reason != "" {
		ve.Add(fieldBody, reason)
		return req, false, ve
	}
	_, alias = members[memberQueryEmbedding]
	if _, both := members[memberEmbedding]; both && alias {
		ve.Add(memberQueryEmbedding, "is an alias of embedding; give only one of them")
	}
	for _, name := range sortedNames(members) {
		raw := members[name]
		switch name {
		case memberEmbedding, memberQueryEmbedding:
			v, ok := decodeNumbers(raw)
			if !ok {
				ve.Add(name, "must be an array of numbers")
			}
			req.Embedding = v
		case memberQuery:
			var text string
			if !isJSONKind(raw, '"') || json.Unmarshal(raw, &text) != nil {
				ve.Add(name, "must be a string")
			} else if text == "" {
				// The app reads "" as absent; here it was given, and empty.
				ve.Add(name, "must not be empty")
			}
			req.Query = text
		case memberLimit:
			n, ok := decodeInteger(raw)
			if !ok {
				ve.Add(name, "must be an integer")
			}
			req.Limit = &n
		case memberThreshold:
			f, ok := decodeNumber(raw)
			if !ok {
				ve.Add(name, "must be a number")
			}
			req.Threshold = &f
		case memberFilters:
			req.Filters = decodeFilters(raw, ve)
		default:
			ve.Add(safeName(name), "unknown member")
		}
	}
	if err := ve.Err(); err != nil {
		return app.SemanticRequest{}, alias, err
	}
	return req, alias, nil
}

// decodeObject decodes body as exactly one JSON object, or says why it is not one.
func decodeObject(body []byte) (map[string]json.RawMessage, string) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, "must not be empty: send a JSON object"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, "must be a JSON object, not " + typeErr.Value
		}
		return nil, "is not valid JSON"
	}
	if members == nil {
		return nil, "must be a JSON object, not null"
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, "must hold one JSON object and nothing after it"
	}
	return members, ""
}

// decodeNumbers decodes a JSON array of numbers. Numbers too large for float64 become
// ±Inf rather than an error, so the app reports them as the non-finite values they are.
func decodeNumbers(raw json.RawMessage) ([]float64, bool) {
	var elems []json.RawMessage
	if !isJSONKind(raw, '[') || json.Unmarshal(raw, &elems) != nil {
		return nil, false
	}
	out := make([]float64, len(elems))
	for i, el := range elems {
		f, ok := decodeNumber(el)
		if !ok {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

// decodeNumber decodes a JSON number (never a string holding one), overflow to ±Inf.
func decodeNumber(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 || !(raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// decodeInteger decodes a JSON number with an integral value (JSON Schema's "integer":
// 10 and 10.0 alike), clamped to ±limitClamp so the app's range check rejects it.
func decodeInteger(raw json.RawMessage) (int, bool) {
	f, ok := decodeNumber(raw)
	if !ok || f != math.Trunc(f) {
		return 0, false
	}
	return int(max(-limitClamp, min(f, limitClamp))), true
}

// decodeFilters decodes the filters member: an object whose members are a string or an
// array of strings. Unknown filter names are left for the app to reject.
func decodeFilters(raw json.RawMessage, ve *domain.ValidationError) app.Params {
	var members map[string]json.RawMessage
	if !isJSONKind(raw, '{') || json.Unmarshal(raw, &members) != nil {
		ve.Add(memberFilters, "must be an object whose members are strings or arrays of strings")
		return nil
	}
	p := make(app.Params, len(members))
	for _, name := range sortedNames(members) {
		values, ok := decodeStrings(members[name])
		if !ok {
			ve.Add(memberFilters+"."+safeName(name), "must be a string or an array of strings")
			continue
		}
		p[name] = values
	}
	return p
}

// decodeStrings decodes a JSON string or an array of JSON strings.
func decodeStrings(raw json.RawMessage) ([]string, bool) {
	if isJSONKind(raw, '"') {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return []string{s}, true
	}
	var elems []json.RawMessage
	if !isJSONKind(raw, '[') || json.Unmarshal(raw, &elems) != nil {
		return nil, false
	}
	out := make([]string, len(elems))
	for i, el := range elems {
		if !isJSONKind(el, '"') || json.Unmarshal(el, &out[i]) != nil {
			return nil, false
		}
	}
	return out, true
}

// isJSONKind reports whether the JSON value raw starts with first ('[', '{' or '"'):
// json.Unmarshal alone would accept null for slices and maps and a string for
// json.Number.
func isJSONKind(raw json.RawMessage, first byte) bool {
	return len(raw) > 0 && raw[0] == first
}
