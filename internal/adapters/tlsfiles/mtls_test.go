package tlsfiles

import (
	"crypto/tls"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit"
)

func TestMutualTLS(t *testing.T) {
	ca, other := testkit.NewAuthority(t, "ca"), testkit.NewAuthority(t, "other")
	e := newEnv(t, ca, ca.IssueServer(t, "server"), ca)
	cfg := e.reloader.TLSConfig()
	assert.Equal(t, tls.VerifyClientCertIfGiven, cfg.ClientAuth, "refuses strangers even without GetConfigForClient")
	assert.NotNil(t, cfg.ClientCAs)

	anonymous, err := e.dial(t, e.clientConfig())
	require.NoError(t, err, "no client certificate: the handshake succeeds (probes carry none)")
	body, err := anonymous.get()
	require.NoError(t, err)
	assert.Equal(t, "HTTP/1.1 0", body, "the handler sees no verified certificate and decides")

	_, err = e.dial(t, e.clientConfig(other.IssueClient(t, "stranger").TLSCertificate(t)))
	require.Error(t, err, "a client certificate from another CA")

	_, err = e.dial(t, e.clientConfig(ca.IssueServer(t, "server-as-client").TLSCertificate(t)))
	require.Error(t, err, "a certificate not meant for clients")

	c, err := e.dial(t, e.clientConfig(ca.IssueClient(t, "alice").TLSCertificate(t)))
	require.NoError(t, err)
	body, err = c.get()
	require.NoError(t, err)
	assert.Equal(t, "HTTP/1.1 1", body, "the handler sees the client certificate")

	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := e.clientConfig(ca.IssueClient(t, "alice").TLSCertificate(t))
		cfg.MaxVersion = v
		_, err := e.dial(t, cfg)
		require.NoError(t, err, "version %x", v)
		cfg = e.clientConfig(other.IssueClient(t, "stranger").TLSCertificate(t))
		cfg.MaxVersion = v
		_, err = e.dial(t, cfg)
		require.Error(t, err, "version %x", v)
	}
}

func TestClientCARotationReachesNewConnections(t *testing.T) {
	ca1, ca2 := testkit.NewAuthority(t, "ca-1"), testkit.NewAuthority(t, "ca-2")
	e := newEnv(t, ca1, ca1.IssueServer(t, "server"), ca1)
	alice, bob := ca1.IssueClient(t, "alice").TLSCertificate(t), ca2.IssueClient(t, "bob").TLSCertificate(t)

	// alice resumes sessions; rotating the CA must not let an old session through.
	resuming := e.clientConfig(alice)
	resuming.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	_, err := e.dial(t, resuming)
	require.NoError(t, err)
	c, err := e.dial(t, resuming)
	require.NoError(t, err)
	require.True(t, c.tls.ConnectionState().DidResume, "sessions resume before the rotation")
	_, err = e.dial(t, e.clientConfig(bob))
	require.Error(t, err)

	replace(t, e.caFile, ca2.CertPEM())
	e.clock.Advance(recheckInterval)
	_, err = e.dial(t, e.clientConfig(bob))
	require.NoError(t, err, "a client of the new CA")
	_, err = e.dial(t, e.clientConfig(alice))
	require.Error(t, err, "a client of the CA taken out")
	_, err = e.dial(t, resuming)
	require.Error(t, err, "a session from before the rotation")
	assert.Contains(t, e.log.String(), "client CAs reloaded")

	replace(t, e.caFile, append(ca1.CertPEM(), ca2.CertPEM()...))
	e.clock.Advance(recheckInterval)
	for _, cert := range []tls.Certificate{alice, bob} {
		_, err = e.dial(t, e.clientConfig(cert))
		require.NoError(t, err, "a bundle of both CAs")
	}
}

func TestABrokenClientCARotationKeepsTheOldCAs(t *testing.T) {
	ca1, ca2 := testkit.NewAuthority(t, "ca-1"), testkit.NewAuthority(t, "ca-2")
	e := newEnv(t, ca1, ca1.IssueServer(t, "server"), ca1)
	alice := ca1.IssueClient(t, "alice").TLSCertificate(t)

	for _, broken := range [][]byte{ca2.CertPEM()[:len(ca2.CertPEM())/2], nil} {
		require.NoError(t, os.WriteFile(e.caFile, broken, 0o600))
		e.clock.Advance(recheckInterval)
		_, err := e.dial(t, e.clientConfig(alice))
		require.NoError(t, err)
	}
	require.NoError(t, os.Remove(e.caFile))
	e.clock.Advance(recheckInterval)
	_, err := e.dial(t, e.clientConfig(alice))
	require.NoError(t, err)

	logged := e.log.String()
	assert.Equal(t, 2, strings.Count(logged, "client CA file changed but does not load"), logged)
	assert.Equal(t, 1, strings.Count(logged, "client CA file unreadable"), logged)
}
