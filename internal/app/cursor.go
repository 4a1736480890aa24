package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

const (
	cursorVersion = 1
	cursorMACSize = 12 // 96 bits: tampering is caught, cursors stay short
	cursorBody    = 1 + 8 + 8
)

// cursorTokenLen is the length of every token Encode makes.
var cursorTokenLen = base64.RawURLEncoding.EncodedLen(cursorBody + cursorMACSize)

// errBadCursor is what every malformed or tampered cursor becomes.
var errBadCursor = errors.New("cursor is malformed or was altered")

// CursorCodec turns keyset positions into opaque, tamper-evident tokens. The token
// holds only the position (start time in µs and id) and a MAC over it.
type CursorCodec struct {
	key []byte
}

// NewCursorCodec returns a codec signing with secret; replicas that share a secret
// accept each other's cursors.
func NewCursorCodec(secret []byte) *CursorCodec {
	return &CursorCodec{key: append([]byte(nil), secret...)}
}

// Encode renders c as a URL-safe token.
func (k *CursorCodec) Encode(c domain.Cursor) string {
	buf := make([]byte, cursorBody, cursorBody+cursorMACSize)
	buf[0] = cursorVersion
	// The int64s travel as their two's-complement bits; Decode reads them back exactly.
	binary.BigEndian.PutUint64(buf[1:9], uint64(c.StartTime.UnixMicro()))
	binary.BigEndian.PutUint64(buf[9:17], uint64(c.ID)) // #nosec G115 -- bit pattern, not a value: Decode reverses it
	buf = append(buf, k.mac(buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Decode parses a token made by Encode with the same secret.
func (k *CursorCodec) Decode(token string) (domain.Cursor, error) {
	// A cursor has one spelling, the one Encode gave. Strict refuses a last character
	// whose unused bits differ (the same bytes); the length refuses the CR and LF the
	// decoder skips even when strict.
	if len(token) != cursorTokenLen {
		return domain.Cursor{}, errBadCursor
	}
	buf, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(buf) != cursorBody+cursorMACSize || buf[0] != cursorVersion {
		return domain.Cursor{}, errBadCursor
	}
	if !hmac.Equal(buf[cursorBody:], k.mac(buf[:cursorBody])) {
		return domain.Cursor{}, errBadCursor
	}
	rawID := binary.BigEndian.Uint64(buf[9:17])
	if rawID == 0 || rawID > math.MaxInt64 { // ids are positive
		return domain.Cursor{}, errBadCursor
	}
	id := int64(rawID)
	micros := int64(binary.BigEndian.Uint64(buf[1:9])) // #nosec G115 -- Encode's two's-complement bits: times before 1970 are negative
	return domain.Cursor{StartTime: time.UnixMicro(micros).UTC(), ID: id}, nil
}

func (k *CursorCodec) mac(body []byte) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write(body)
	return m.Sum(nil)[:cursorMACSize]
}
