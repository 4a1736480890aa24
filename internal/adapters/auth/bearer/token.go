package bearer

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// tokenBytes is the entropy of a token: 256 bits, beyond guessing.
const tokenBytes = 32

// NewToken returns a fresh token: 32 bytes from crypto/rand in base64url without padding
// (43 characters), which fits an Authorization header unescaped.
func NewToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("bearer: new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Line returns the tokens-file line that lets token in as name: the name and the
// lower-case hex SHA-256 of the token. Check the name with CheckName first.
func Line(name, token string) string {
	sum := digest(token)
	return name + ":" + hex.EncodeToString(sum[:])
}

func digest(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }
