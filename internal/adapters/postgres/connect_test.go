package postgres

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// TestPasswordFileIsReadForEveryConnection: a rotated Secret works without a restart.
// The role is the test's own, so changing its password disturbs no other test.
func TestPasswordFileIsReadForEveryConnection(t *testing.T) {
	dsn := newDatabase(t)
	role := pg.NewName() + "_reader"
	require.NoError(t, pg.Exec(t.Context(), fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD 'first'", role)))
	t.Cleanup(func() { _ = pg.Exec(t.Context(), "DROP ROLE IF EXISTS "+role) })
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.User = url.User(role) // no password in the URL
	pw := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(pw, []byte("first\n"), 0o600))

	repo, err := Open(u.String(), Options{PasswordFile: pw})
	require.NoError(t, err)
	defer repo.Close()
	require.NoError(t, repo.Ping(t.Context()), "the file's password, less its newline")

	// Rotate: the server and the file change; then every open connection goes away.
	require.NoError(t, pg.Exec(t.Context(), fmt.Sprintf("ALTER ROLE %s PASSWORD 'second'", role)))
	require.NoError(t, os.WriteFile(pw, []byte("second"), 0o600))
	terminate := fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '%s'", role)
	require.NoError(t, pg.Exec(t.Context(), terminate))
	require.Eventually(t, func() bool { return repo.Ping(t.Context()) == nil }, 5*time.Second, 50*time.Millisecond,
		"new connections read the new password")

	require.NoError(t, os.WriteFile(pw, []byte("wrong"), 0o600))
	require.NoError(t, pg.Exec(t.Context(), terminate))
	repo.pools.current().Reset() // drop the pool's idle connections too
	err = repo.Ping(t.Context())
	assert.ErrorIs(t, err, domain.ErrUnavailable, "a refused password is an outage, not a crash")
	assert.NotContains(t, err.Error(), "wrong", "the password never reaches a message")
}

func TestReadPasswordFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	got, err := ReadPasswordFile(write("lf", "p@ss w0rd\n"))
	require.NoError(t, err)
	assert.Equal(t, "p@ss w0rd", got, "inner spaces kept, the line ending dropped")
	got, err = ReadPasswordFile(write("crlf", "secret\r\n"))
	require.NoError(t, err)
	assert.Equal(t, "secret", got)
	_, err = ReadPasswordFile(write("empty", "\n"))
	assert.ErrorContains(t, err, "is empty")
	_, err = ReadPasswordFile(filepath.Join(dir, "missing"))
	assert.ErrorContains(t, err, "missing")
}
