package bearer

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewTokenIs32RandomBytesInBase64URL(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := NewToken()
		require.NoError(t, err)
		assert.Len(t, tok, 43)
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		require.NoError(t, err, "base64url without padding")
		assert.Len(t, raw, 32)
		assert.False(t, seen[tok], "a token came up twice")
		seen[tok] = true
	}
}

func TestLineIsNameAndHexDigest(t *testing.T) {
	sum := sha256.Sum256([]byte("s3cret"))
	assert.Equal(t, "ci:"+hex.EncodeToString(sum[:]), Line("ci", "s3cret"))
	assert.NotContains(t, Line("ci", "s3cret"), "s3cret")

	entries, err := parse(strings.NewReader(Line("system:serviceaccount:ops:ci", "s3cret")))
	require.NoError(t, err)
	assert.Equal(t, []entry{{name: "system:serviceaccount:ops:ci", digest: sum}}, entries)
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"ci", "system:serviceaccount:ops:ci", "Zoë (on call)", "a#b", "x=y/z@host", "two  spaces"} {
		assert.NoError(t, CheckName(ok), ok)
	}
	for _, bad := range []string{"", " ci", "ci\t", "#ci", "c\ni", "c\x00i", "c\x1bi", "\xff"} {
		assert.Error(t, CheckName(bad), "%q", bad)
	}
}
