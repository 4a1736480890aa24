package tlsfiles

import (
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit"
)

func TestNewFailsNamingTheFile(t *testing.T) {
	ca, other := testkit.NewAuthority(t, "ca"), testkit.NewAuthority(t, "other")
	good, stranger := ca.IssueServer(t, "server"), other.IssueServer(t, "stranger")
	dir := t.TempDir()
	write := func(name string, content []byte) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, content, 0o600))
		return path
	}
	cert, key, caFile := write("tls.crt", good.CertPEM), write("tls.key", good.KeyPEM), write("ca.crt", ca.CertPEM())
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no certificate file", Options{KeyFile: key}, "a certificate file and a key file are both required"},
		{"no key file", Options{CertFile: cert}, "a certificate file and a key file are both required"},
		{"missing certificate", Options{CertFile: missing, KeyFile: key}, missing},
		{"missing key", Options{CertFile: cert, KeyFile: missing}, missing},
		{"key of another certificate", Options{CertFile: cert, KeyFile: write("other.key", stranger.KeyPEM)}, cert},
		{"half-written certificate", Options{CertFile: write("half.crt", good.CertPEM[:len(good.CertPEM)/2]), KeyFile: key}, "half.crt: a PEM block is cut short"},
		{"not PEM", Options{CertFile: write("junk.crt", []byte("junk")), KeyFile: key}, "junk.crt"},
		{"missing client CA", Options{CertFile: cert, KeyFile: key, ClientCAFile: missing}, missing},
		{"client CA without certificates", Options{CertFile: cert, KeyFile: key, ClientCAFile: write("empty.crt", nil)}, "empty.crt: no certificates"},
		{"half-written client CA", Options{CertFile: cert, KeyFile: key, ClientCAFile: write("half-ca.crt", append(other.CertPEM(), ca.CertPEM()[:40]...))}, "half-ca.crt: a PEM block is cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "PRIVATE KEY-----")
		})
	}

	r, err := New(Options{CertFile: cert, KeyFile: key, ClientCAFile: caFile})
	require.NoError(t, err, "the same files, whole")
	assert.NotNil(t, r.TLSConfig().GetConfigForClient)
}

func TestTLSConfig(t *testing.T) {
	ca := testkit.NewAuthority(t, "ca")
	e := newEnv(t, ca, ca.IssueServer(t, "server"), nil)
	cfg := e.reloader.TLSConfig()
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MinVersion)
	assert.Equal(t, []string{"h2", "http/1.1"}, cfg.NextProtos)
	assert.Equal(t, tls.NoClientCert, cfg.ClientAuth)
	assert.Nil(t, cfg.GetConfigForClient)
	assert.Empty(t, cfg.Certificates, "GetCertificate, not a fixed certificate")
}

func TestServesHTTP2AndHTTP1(t *testing.T) {
	ca := testkit.NewAuthority(t, "ca")
	e := newEnv(t, ca, ca.IssueServer(t, "server"), nil)
	for _, tc := range []struct {
		protos []string
		want   string
	}{
		{nil, "HTTP/2.0 0"},
		{[]string{"http/1.1"}, "HTTP/1.1 0"},
	} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), NextProtos: tc.protos}, ForceAttemptHTTP2: tc.protos == nil}
		resp, err := (&http.Client{Transport: tr}).Get("https://" + e.addr + "/")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		tr.CloseIdleConnections()
		assert.Equal(t, tc.want, string(body))
		assert.Equal(t, "server", resp.TLS.PeerCertificates[0].Subject.CommonName)
	}
}

func TestRefusesTLS11(t *testing.T) {
	ca := testkit.NewAuthority(t, "ca")
	e := newEnv(t, ca, ca.IssueServer(t, "server"), nil)
	old := e.clientConfig()
	old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	_, err := e.dial(t, old)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "protocol version")

	c, err := e.dial(t, e.clientConfig())
	require.NoError(t, err, "the same server accepts TLS 1.2 and later")
	assert.Equal(t, uint16(tls.VersionTLS13), c.tls.ConnectionState().Version)
}
