package test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeAtomically replaces path's content the way a Secret update or cert-manager does:
// a new file renamed over the old, never a half-written file.
func writeAtomically(t *testing.T, path string, body []byte) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	require.NoError(t, os.WriteFile(tmp, body, 0o600))
	require.NoError(t, os.Rename(tmp, path))
}
