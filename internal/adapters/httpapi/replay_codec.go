package httpapi

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// MarshalBinary encodes the answer for a cache shared by several processes:
// uvarint(len(route)), the route template, uvarint(len(link)), the Link header, the
// body. Content-Length and the other headers follow from those, so a replay on another
// process sends the same bytes and is counted under the same route.
func (r *Replayable) MarshalBinary() ([]byte, error) {
	var link string
	if r.link != nil {
		link = r.link[0]
	}
	out := make([]byte, 0, 2*binary.MaxVarintLen64+len(r.route)+len(link)+len(r.body))
	out = append(binary.AppendUvarint(out, uint64(len(r.route))), r.route...)
	out = append(binary.AppendUvarint(out, uint64(len(link))), link...)
	return append(out, r.body...), nil
}

// UnmarshalReplayable decodes what MarshalBinary encoded.
func UnmarshalReplayable(b []byte) (*Replayable, error) {
	route, rest, ok := splitPrefixed(b)
	if !ok {
		return nil, errors.New("httpapi: decode a replayable answer: bad route length")
	}
	link, body, ok := splitPrefixed(rest)
	if !ok {
		return nil, errors.New("httpapi: decode a replayable answer: bad link length")
	}
	r := &Replayable{body: body, route: string(route), length: []string{strconv.Itoa(len(body))}}
	if len(link) > 0 {
		r.link = []string{string(link)}
	}
	return r, nil
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
