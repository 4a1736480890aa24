package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The token command prints a token and the tokens-file line that admits it: the line
// holds the token's SHA-256, never the token.
func TestTokenPrintsATokenAndItsLine(t *testing.T) {
	out, err := execute(t, "token", "--name", "holmesgpt-api")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 5, out)
	token, line := lines[1], lines[4]
	assert.Len(t, token, 43, "32 random bytes in unpadded base64url")
	sum := sha256.Sum256([]byte(token))
	assert.Equal(t, "holmesgpt-api:"+hex.EncodeToString(sum[:]), line)
	assert.NotContains(t, line, token)

	again, err := execute(t, "token", "--name", "holmesgpt-api")
	require.NoError(t, err)
	assert.NotEqual(t, out, again, "every token is new")
}

func TestTokenNeedsAUsableName(t *testing.T) {
	for _, args := range [][]string{{"token"}, {"token", "--name", " padded "}, {"token", "--name", "#comment"}} {
		assert.Equal(t, exitConfig, run(args), "%q", args)
	}
}
