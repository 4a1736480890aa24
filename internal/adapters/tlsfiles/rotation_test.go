package tlsfiles

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit"
)

func TestRotationReachesNewConnectionsOnly(t *testing.T) {
	ca := testkit.NewAuthority(t, "ca")
	e := newEnv(t, ca, ca.IssueServer(t, "server-1"), nil)
	old, err := e.dial(t, e.clientConfig())
	require.NoError(t, err)
	require.Equal(t, "server-1", old.serverName())

	next := ca.IssueServer(t, "server-2")
	replace(t, e.keyFile, next.KeyPEM)
	replace(t, e.certFile, next.CertPEM)
	e.clock.Advance(recheckInterval - time.Millisecond)
	c, err := e.dial(t, e.clientConfig())
	require.NoError(t, err)
	assert.Equal(t, "server-1", c.serverName(), "the files are looked at once a second at most")

	e.clock.Advance(time.Millisecond)
	c, err = e.dial(t, e.clientConfig())
	require.NoError(t, err)
	assert.Equal(t, "server-2", c.serverName())
	assert.Contains(t, e.log.String(), "certificate reloaded")

	body, err := old.get()
	require.NoError(t, err, "a connection made before the rotation keeps working")
	assert.Equal(t, "HTTP/1.1 0", body)
	assert.Equal(t, "server-1", old.serverName())
}

func TestABrokenRotationKeepsTheOldCertificate(t *testing.T) {
	ca := testkit.NewAuthority(t, "ca")
	first := ca.IssueServer(t, "server-1")
	e := newEnv(t, ca, first, nil)
	next := ca.IssueServer(t, "server-2")

	for _, tc := range []struct {
		name      string
		cert, key []byte
		want      string
	}{
		{"certificate replaced before its key", next.CertPEM, first.KeyPEM, "private key does not match public key"},
		{"certificate half-written", next.CertPEM[:len(next.CertPEM)-30], next.KeyPEM, "a PEM block is cut short"},
		{"key file emptied", next.CertPEM, nil, "failed to find any PEM data in key input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(e.certFile, tc.cert, 0o600))
			require.NoError(t, os.WriteFile(e.keyFile, tc.key, 0o600))
			e.clock.Advance(recheckInterval)
			c, err := e.dial(t, e.clientConfig())
			require.NoError(t, err)
			assert.Equal(t, "server-1", c.serverName())
			assert.Contains(t, e.log.String(), tc.want)
		})
	}
	logged := e.log.String()
	assert.Equal(t, 3, strings.Count(logged, "do not load; keeping the certificate loaded before"), logged)
	assert.Contains(t, logged, "level=WARN")
	assert.NotContains(t, logged, "PRIVATE KEY-----")

	e.clock.Advance(recheckInterval)
	_, err := e.dial(t, e.clientConfig())
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(e.log.String(), "do not load"), "one warning per broken version, not one a second")

	require.NoError(t, os.WriteFile(e.keyFile, next.KeyPEM, 0o600))
	e.clock.Advance(recheckInterval)
	c, err := e.dial(t, e.clientConfig())
	require.NoError(t, err)
	assert.Equal(t, "server-2", c.serverName(), "the repaired pair loads")
}

func TestVanishedFilesKeepTheOldCertificate(t *testing.T) {
	ca := testkit.NewAuthority(t, "ca")
	e := newEnv(t, ca, ca.IssueServer(t, "server-1"), nil)
	require.NoError(t, os.Remove(e.keyFile))
	for range 2 {
		e.clock.Advance(recheckInterval)
		c, err := e.dial(t, e.clientConfig())
		require.NoError(t, err)
		assert.Equal(t, "server-1", c.serverName())
	}
	assert.Equal(t, 1, strings.Count(e.log.String(), "certificate files unreadable"), e.log.String())
}

// TestRotationBySecretVolumeSymlinkSwap rotates the files the way the kubelet updates a
// Secret volume that cert-manager wrote: both files are symlinks through ..data, which
// is swapped to a new directory at once. The second swap brings files of the same sizes
// and times, so only their identity tells them apart.
func TestRotationBySecretVolumeSymlinkSwap(t *testing.T) {
	ca := testkit.NewAuthority(t, "ca")
	e := newEnv(t, ca, ca.IssueServer(t, "server-1"), nil)
	mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	version := func(name string, pair testkit.Issued) {
		require.NoError(t, os.Mkdir(filepath.Join(e.dir, name), 0o700))
		for file, content := range map[string][]byte{"tls.crt": pair.CertPEM, "tls.key": pair.KeyPEM} {
			path := filepath.Join(e.dir, name, file)
			require.NoError(t, os.WriteFile(path, content, 0o600))
			require.NoError(t, os.Chtimes(path, mtime, mtime))
		}
		require.NoError(t, os.Symlink(name, filepath.Join(e.dir, "..data_tmp")))
		require.NoError(t, os.Rename(filepath.Join(e.dir, "..data_tmp"), filepath.Join(e.dir, "..data")))
	}
	second := ca.IssueServer(t, "server-2")
	version("..2026_01_01_00_00_00.1", second)
	for _, name := range []string{"tls.crt", "tls.key"} {
		require.NoError(t, os.Remove(filepath.Join(e.dir, name)))
		require.NoError(t, os.Symlink(filepath.Join("..data", name), filepath.Join(e.dir, name)))
	}
	e.clock.Advance(recheckInterval)
	c, err := e.dial(t, e.clientConfig())
	require.NoError(t, err)
	require.Equal(t, "server-2", c.serverName())

	third := ca.IssueServer(t, "server-3")
	for len(third.CertPEM) != len(second.CertPEM) { // signatures vary by a byte or two
		third = ca.IssueServer(t, "server-3")
	}
	require.Len(t, third.KeyPEM, len(second.KeyPEM))
	version("..2026_03_01_00_00_00.2", third)
	require.NoError(t, os.RemoveAll(filepath.Join(e.dir, "..2026_01_01_00_00_00.1")))
	e.clock.Advance(recheckInterval)
	c, err = e.dial(t, e.clientConfig())
	require.NoError(t, err)
	assert.Equal(t, "server-3", c.serverName())
}

// TestConcurrentHandshakesDuringRotation is for the race detector: clients keep
// connecting, with client certificates, while the certificate and the client CAs are
// replaced under them.
func TestConcurrentHandshakesDuringRotation(t *testing.T) {
	ca := testkit.NewAuthority(t, "ca")
	e := newEnv(t, ca, ca.IssueServer(t, "server-0"), ca)
	client := e.clientConfig(ca.IssueClient(t, "alice").TLSCertificate(t))

	var stop atomic.Bool
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				c, err := tls.Dial("tcp", e.addr, client)
				if err == nil {
					_, err = (&conn{tls: c, br: bufio.NewReader(c)}).get()
					_ = c.Close()
				}
				if err != nil {
					failed.Add(1)
				}
			}
		})
	}
	for i := range 20 {
		next := ca.IssueServer(t, fmt.Sprint("server-", i+1))
		replace(t, e.keyFile, next.KeyPEM)
		replace(t, e.certFile, next.CertPEM)
		replace(t, e.caFile, ca.CertPEM())
		e.clock.Advance(recheckInterval)
		time.Sleep(5 * time.Millisecond) // let handshakes through between versions
	}
	stop.Store(true)
	wg.Wait()
	// A handshake between the key's and the certificate's rename may find the pair
	// mismatched; it keeps the old pair, so no client is ever refused.
	assert.Zero(t, failed.Load())

	e.clock.Advance(recheckInterval)
	c, err := e.dial(t, client)
	require.NoError(t, err)
	assert.Equal(t, "server-20", c.serverName())
}
