package bearer

import (
	"context"
	"crypto/subtle"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestAuthenticate(t *testing.T) {
	toks := newTokens(t, 3)
	a, err := New(Options{File: writeTokens(t, fileOf("alice", toks[0], "system:serviceaccount:ops:ci", toks[1]))})
	require.NoError(t, err)
	ctx := context.Background()

	p, err := a.Authenticate(ctx, toks[0])
	require.NoError(t, err)
	assert.Equal(t, domain.Principal{Name: "alice"}, p)
	p, err = a.Authenticate(ctx, toks[1])
	require.NoError(t, err)
	assert.Equal(t, domain.Principal{Name: "system:serviceaccount:ops:ci"}, p)

	for name, tok := range map[string]string{
		"unknown":            toks[2],
		"empty":              "",
		"a digest as token":  Line("alice", toks[0])[len("alice:"):],
		"a token with space": toks[0] + " ",
	} {
		p, err := a.Authenticate(ctx, tok)
		require.ErrorIs(t, err, domain.ErrUnauthenticated, name)
		assert.Zero(t, p, name)
	}
}

func TestNewFailsOnAMissingOrMalformedFile(t *testing.T) {
	_, err := New(Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no tokens file")

	missing := filepath.Join(t.TempDir(), "tokens")
	_, err = New(Options{File: missing})
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing)

	tok := newTokens(t, 1)[0]
	bad := writeTokens(t, fileOf("alice", tok)+"bob "+tok+"\n")
	_, err = New(Options{File: bad})
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad+": line 2: ")
	assert.NotContains(t, err.Error(), tok)
}

func TestEveryEntryIsCompared(t *testing.T) {
	toks := newTokens(t, 6)
	a, err := New(Options{File: writeTokens(t, fileOf("a", toks[0], "b", toks[1], "c", toks[2], "d", toks[3], "e", toks[4]))})
	require.NoError(t, err)
	var calls atomic.Int64
	a.compare = func(x, y []byte) int { calls.Add(1); return subtle.ConstantTimeCompare(x, y) }

	for _, tok := range []string{toks[0], toks[2], toks[4], toks[5]} {
		calls.Store(0)
		_, _ = a.Authenticate(context.Background(), tok)
		assert.EqualValues(t, 5, calls.Load(), "first, middle, last and no match all compare with all five")
	}
}
