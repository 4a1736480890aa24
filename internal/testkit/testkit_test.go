package testkit_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit"
)

func TestClockMovesOnlyWhenAdvanced(t *testing.T) {
	c := testkit.NewClock()
	start := c.Now()
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), start)
	assert.Equal(t, start, c.Now())

	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { c.Advance(time.Second); _ = c.Now() })
	}
	wg.Wait()
	assert.Equal(t, start.Add(10*time.Second), c.Now())
}

func TestBufferTakesWritesFromManyGoroutines(t *testing.T) {
	var b testkit.Buffer
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, err := io.WriteString(&b, "line\n")
			assert.NoError(t, err)
			_ = b.String()
		})
	}
	wg.Wait()
	assert.Equal(t, strings.Repeat("line\n", 10), b.String())

	b.Logger().Info("hello", "who", "world")
	assert.Contains(t, b.String(), `level=INFO msg=hello who=world`)
}

func TestAuthorityIssuesCertificatesItsPoolVerifies(t *testing.T) {
	ca, other := testkit.NewAuthority(t, "test-ca"), testkit.NewAuthority(t, "other-ca")

	block, rest := pem.Decode(ca.CertPEM())
	require.NotNil(t, block)
	assert.Empty(t, rest)
	caCert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.True(t, caCert.IsCA)
	assert.Equal(t, "test-ca", caCert.Subject.CommonName)
	mine := ca.CertPEM()
	mine[0] = 'x'
	assert.NotEqual(t, mine, ca.CertPEM(), "CertPEM returns a copy")

	server := ca.IssueServer(t, "server").TLSCertificate(t)
	assert.Equal(t, "server", server.Leaf.Subject.CommonName)
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		_, err := server.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: host})
		assert.NoError(t, err, host)
	}
	_, err = server.Leaf.Verify(x509.VerifyOptions{Roots: other.Pool(), DNSName: "localhost"})
	assert.Error(t, err, "another authority does not vouch for it")

	client := ca.IssueClient(t, "alice").TLSCertificate(t)
	_, err = client.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	assert.NoError(t, err)
	_, err = client.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool()})
	assert.Error(t, err, "a client certificate does not serve")
}

func TestAuthorityCertificatesCompleteAMutualHandshake(t *testing.T) {
	ca := testkit.NewAuthority(t, "test-ca")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{ca.IssueServer(t, "server").TLSCertificate(t)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
	})
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	peer := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			peer <- err.Error()
			return
		}
		defer func() { _ = c.Close() }()
		tc := c.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			peer <- err.Error()
			return
		}
		peer <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
	}()

	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{
		RootCAs:      ca.Pool(),
		Certificates: []tls.Certificate{ca.IssueClient(t, "alice").TLSCertificate(t)},
	})
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	_, err = c.Write([]byte("x")) // completes the client's side under TLS 1.3
	require.NoError(t, err)
	assert.Equal(t, "server", c.ConnectionState().PeerCertificates[0].Subject.CommonName)
	assert.Equal(t, "alice", <-peer)
}
