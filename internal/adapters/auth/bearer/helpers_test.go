package bearer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTokens returns n fresh tokens.
func newTokens(t *testing.T, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		tok, err := NewToken()
		require.NoError(t, err)
		out[i] = tok
	}
	return out
}

// fileOf renders name → token pairs as a tokens file.
func fileOf(pairs ...string) string {
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		b.WriteString(Line(pairs[i], pairs[i+1]) + "\n")
	}
	return b.String()
}

// replace swaps content in at path atomically, as a careful operator would: write a
// temporary file beside it, then rename it over the old one.
func replace(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

func writeTokens(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}
