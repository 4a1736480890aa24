package tlsfiles

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/contextapi/contextapi/internal/testkit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// replace swaps content in at path atomically: a new file renamed over the old one.
func replace(t *testing.T, path string, content []byte) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, content, 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// env is a Reloader over files in a temporary directory, on a clock the test moves,
// serving HTTP on 127.0.0.1.
type env struct {
	dir                       string
	certFile, keyFile, caFile string
	clock                     *testkit.Clock
	log                       *testkit.Buffer
	reloader                  *Reloader
	addr                      string
	serverCA                  *testkit.Authority
}

// newEnv serves with the server certificate given; with clientCA, clients must present
// a certificate it issued.
func newEnv(t *testing.T, serverCA *testkit.Authority, server testkit.Issued, clientCA *testkit.Authority) *env {
	t.Helper()
	e := &env{dir: t.TempDir(), clock: testkit.NewClock(), log: &testkit.Buffer{}, serverCA: serverCA}
	e.certFile, e.keyFile = filepath.Join(e.dir, "tls.crt"), filepath.Join(e.dir, "tls.key")
	require.NoError(t, os.WriteFile(e.certFile, server.CertPEM, 0o600))
	require.NoError(t, os.WriteFile(e.keyFile, server.KeyPEM, 0o600))
	opts := Options{CertFile: e.certFile, KeyFile: e.keyFile, Now: e.clock.Now, Logger: e.log.Logger()}
	if clientCA != nil {
		e.caFile = filepath.Join(e.dir, "ca.crt")
		require.NoError(t, os.WriteFile(e.caFile, clientCA.CertPEM(), 0o600))
		opts.ClientCAFile = e.caFile
	}
	r, err := New(opts)
	require.NoError(t, err)
	e.reloader = r

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = fmt.Fprintf(w, "%s %d", r.Proto, len(r.TLS.PeerCertificates))
		}),
		TLSConfig:         r.TLSConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.DiscardHandler, slog.LevelError),
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-done, http.ErrServerClosed)
	})
	e.addr = ln.Addr().String()
	return e
}

// clientConfig trusts the server's CA and presents certs, if any.
func (e *env) clientConfig(certs ...tls.Certificate) *tls.Config {
	cfg := &tls.Config{RootCAs: e.serverCA.Pool(), NextProtos: []string{"http/1.1"}}
	if len(certs) > 0 {
		// Present the certificate whatever CAs the server names, as curl --cert does: Go's
		// default would quietly send none when the server does not name its issuer.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &certs[0], nil }
	}
	return cfg
}

// conn is one client connection speaking HTTP/1.1 with keep-alive.
type conn struct {
	tls *tls.Conn
	br  *bufio.Reader
}

// dial connects and makes one request, so that a refusal after the client's side of
// the handshake (TLS 1.3 checks client certificates then) shows as an error here.
func (e *env) dial(t *testing.T, cfg *tls.Config) (*conn, error) {
	t.Helper()
	c, err := tls.Dial("tcp", e.addr, cfg)
	if err != nil {
		return nil, err
	}
	cn := &conn{tls: c, br: bufio.NewReader(c)}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := cn.get(); err != nil {
		return nil, err
	}
	return cn, nil
}

// get makes a request on the connection and returns the body.
func (c *conn) get() (string, error) {
	if _, err := io.WriteString(c.tls, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		return "", err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", errors.New(resp.Status)
	}
	return string(body), nil
}

// serverName is the common name of the certificate the server showed.
func (c *conn) serverName() string {
	return c.tls.ConnectionState().PeerCertificates[0].Subject.CommonName
}
