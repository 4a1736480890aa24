package httpapi

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"

	"github.com/labstack/echo/v4"
)

const (
	headerRequestID = echo.HeaderXRequestID // canonical: the header map is indexed with it directly
	maxRequestIDLen = 128
)

// requestID gives every request an id, echoed in X-Request-Id on every response (problem
// documents too), in problem bodies and in logs. A caller's id is kept when it is safe to
// log and echo; anything else is replaced rather than rejected, so tracing never costs a
// request.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := firstValue(c.Request().Header, headerRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Response().Header()[headerRequestID] = []string{id}
		return next(c)
	}
}

// requestIDOf returns the id requestID gave c's request: the response header is where
// it lives (a context value would cost Echo a map per request).
func requestIDOf(c echo.Context) string {
	return firstValue(c.Response().Header(), headerRequestID)
}

// firstValue is h.Get(key) for a key already in canonical form (Header.Get canonicalises
// it on every call, a measurable cost per request).
func firstValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// validRequestID reports whether id is 1–128 characters of [A-Za-z0-9._:-].
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case b == '.', b == '_', b == ':', b == '-':
		default:
			return false
		}
	}
	return true
}

// newRequestID returns a random (version 4) UUID. Its 122 random bits come from
// math/rand/v2's generator (ChaCha8, seeded by the runtime), which costs no system call
// and no allocation besides the string: an id names a request, it guards nothing.
func newRequestID() string {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], rand.Uint64()) // #nosec G404 -- an id names a request, it guards nothing
	binary.LittleEndian.PutUint64(u[8:], rand.Uint64()) // #nosec G404 -- as above
	u[6] = u[6]&0x0f | 0x40                             // version 4
	u[8] = u[8]&0x3f | 0x80                             // RFC 9562 variant
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}
