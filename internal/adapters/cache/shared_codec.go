package cache

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// sharedEntry is an entry as the shared tier keeps it: the value with its version and
// deadlines, so every process serves it under the same version (answers replayed on
// one process stay valid on another) and for no longer than its writer would. JSON,
// because it keeps nil apart from a pointer to a zero value (a status "" or a duration
// of 0), which gob does not; domain types need no tags for it.
type sharedEntry[T any] struct {
	Version    string    `json:"v"`
	AsOf       time.Time `json:"a,omitzero"`
	FreshUntil time.Time `json:"f"`
	StaleUntil time.Time `json:"s"`
	Value      T         `json:"x"`
}

func encodeEntry[T any](e *entry) ([]byte, error) {
	b, err := json.Marshal(sharedEntry[T]{Version: e.version, AsOf: e.asOf, FreshUntil: e.freshUntil,
		StaleUntil: e.staleUntil, Value: quoteMetadata(e.value).(T)})
	if err != nil {
		return nil, fmt.Errorf("cache: encode %s: %w", versionKey(e.version), err)
	}
	return b, nil
}

// decodeEntry reads an entry the shared tier kept, with its cost in the process tier.
func decodeEntry[T any](b []byte, cost func(T) int64) (*entry, int64, error) {
	var s sharedEntry[T]
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, 0, fmt.Errorf("cache: decode a shared entry: %w", err)
	}
	if s.Version == "" {
		return nil, 0, errors.New("cache: decode a shared entry: no version")
	}
	v, err := unquoteMetadata(s.Value)
	if err != nil {
		return nil, 0, err
	}
	s.Value = v.(T)
	return &entry{value: s.Value, version: s.Version, asOf: s.AsOf, freshUntil: s.FreshUntil, staleUntil: s.StaleUntil},
		cost(s.Value), nil
}

// decodeStored decodes the entry kept under key, whose kind (keys.go) says its type:
// replayed answers name their values only by version.
func decodeStored(key string, b []byte) (*entry, int64, error) {
	switch spanNameOf(key) {
	case spanGet:
		return decodeEntry(b, incidentCost)
	case spanList:
		return decodeEntry(b, pageCost)
	case spanSearch:
		return decodeEntry(b, scoredCost)
	case spanAggregate:
		return decodeEntry(b, groupsCost)
	}
	return nil, 0, fmt.Errorf("cache: no shared encoding for the value of %s", key)
}

// Codec encodes remembered answers (Responses) for the shared tier.
type Codec[R any] struct {
	Encode func(R) ([]byte, error)
	Decode func([]byte) (R, error)
}

// sharedAnswer is the header of a remembered answer in the shared tier; the encoded
// answer follows it as is (a JSON body would otherwise grow by a third in base64).
type sharedAnswer struct {
	Versions []string  `json:"v"`
	Until    time.Time `json:"u"`
}

// encodeAnswer lays out uvarint(len(header)), header, answer.
func encodeAnswer(versions []string, until time.Time, answer []byte) ([]byte, error) {
	h, err := json.Marshal(sharedAnswer{Versions: versions, Until: until})
	if err != nil {
		return nil, fmt.Errorf("cache: encode a remembered answer: %w", err)
	}
	out := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(h)+len(answer)), uint64(len(h)))
	return append(append(out, h...), answer...), nil
}

func decodeAnswer(b []byte) (sharedAnswer, []byte, error) {
	var h sharedAnswer
	header, answer, ok := splitPrefixed(b)
	if !ok {
		return h, nil, errors.New("cache: decode a remembered answer: bad header length")
	}
	if err := json.Unmarshal(header, &h); err != nil {
		return h, nil, fmt.Errorf("cache: decode a remembered answer: %w", err)
	}
	return h, answer, nil
}

// splitPrefixed cuts b into the bytes a uvarint length prefix announces and the rest.
func splitPrefixed(b []byte) (head, rest []byte, ok bool) {
	n, size := binary.Uvarint(b)
	if size <= 0 || n > uint64(len(b)-size) { // #nosec G115 -- 0 < size <= len(b): the difference is non-negative
		return nil, nil, false
	}
	end := size + int(n) // #nosec G115 -- n <= len(b) - size, so it fits an int
	return b[size:end], b[end:], true
}
