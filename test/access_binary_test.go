package test

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/testkit"
)

func tokenLine(name, token string) string {
	sum := sha256.Sum256([]byte(token))
	return name + ":" + hex.EncodeToString(sum[:]) + "\n"
}

// httpsGet asks url with an optional bearer token over a new connection (so a rotated
// certificate shows), trusting ca; it returns the status, headers, body and the
// server certificate's common name.
func httpsGet(t *testing.T, ca *testkit.Authority, url, token string) (int, http.Header, string, string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}, DisableKeepAlives: true,
	}}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err.Error(), ""
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body), res.TLS.PeerCertificates[0].Subject.CommonName
}

// The built binary in bearer mode over TLS, as an operator runs it: no data without a
// listed token (the cache on, the answer cached), the platform's endpoints open, the
// principal named in the log and the token nowhere, and both the tokens file and the
// certificate rotated while it runs.
func TestServeBearerOverTLSWithRotation(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	ca := testkit.NewAuthority(t, "test-ca")
	certFile, keyFile, tokens := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "tokens")
	first := ca.IssueServer(t, "contextapi-1")
	require.NoError(t, os.WriteFile(certFile, first.CertPEM, 0o600))
	require.NoError(t, os.WriteFile(keyFile, first.KeyPEM, 0o600))
	const alice, bob = "alice-token-0123456789", "bob-token-9876543210"
	require.NoError(t, os.WriteFile(tokens, []byte("# who may read\n"+tokenLine("alice", alice)), 0o600))

	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--drain-delay", "0s", "--log-format", "json",
		"--auth-mode", "bearer", "--auth-tokens-file", tokens, "--tls-cert-file", certFile, "--tls-key-file", keyFile)
	cmd.Env = cleanEnv()
	logs := &testkit.Buffer{}
	cmd.Stderr = logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "https://" + addr
	require.Eventually(t, func() bool { s, _, _, _ := httpsGet(t, ca, base+"/health/live", ""); return s == 200 },
		10*time.Second, 50*time.Millisecond, "serves over TLS")

	api := base + "/api/v1/incidents?limit=2"
	status, _, _, _ := httpsGet(t, ca, api, alice)
	require.Equal(t, 200, status)
	status, h, _, cn := httpsGet(t, ca, api, alice)
	require.Equal(t, 200, status)
	assert.Equal(t, "contextapi; hit", h.Get("Cache-Status"), "the answer is cached and replayed")
	assert.Equal(t, "contextapi-1", cn)
	for _, token := range []string{"", "not-listed", bob, alice + "x"} {
		status, h, body, _ := httpsGet(t, ca, api, token)
		assert.Equal(t, 401, status, "token %q", token)
		assert.Contains(t, h.Get("WWW-Authenticate"), "Bearer")
		assert.NotContains(t, body, `"incidents"`)
	}
	for _, open := range []string{"/health", "/health/ready", "/metrics", "/openapi.json"} {
		status, _, _, _ := httpsGet(t, ca, base+open, "")
		assert.Equal(t, 200, status, open)
	}

	// Rotation: bob in, alice out; then a new certificate. Both are checked at most once
	// a second, so both show within about a second.
	writeAtomically(t, tokens, []byte(tokenLine("bob", bob)))
	next := ca.IssueServer(t, "contextapi-2")
	writeAtomically(t, keyFile, next.KeyPEM)
	writeAtomically(t, certFile, next.CertPEM)
	require.Eventually(t, func() bool {
		s, _, _, _ := httpsGet(t, ca, api, bob)
		return s == 200
	}, 5*time.Second, 100*time.Millisecond, "the new token is accepted")
	status, _, _, _ = httpsGet(t, ca, api, alice)
	assert.Equal(t, 401, status, "the removed token is refused")
	require.Eventually(t, func() bool {
		_, _, _, cn := httpsGet(t, ca, base+"/health/live", "")
		return cn == "contextapi-2"
	}, 5*time.Second, 100*time.Millisecond, "new connections get the new certificate")

	// The request log is written in batches: a clean stop flushes every line.
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
	out := logs.String()
	assert.Contains(t, out, `"principal":"alice"`)
	assert.NotContains(t, out, "authentication is off", "no warning with auth on")
	assert.Contains(t, out, `"principal":"bob"`)
	for _, secret := range []string{alice, bob} {
		assert.NotContains(t, out, secret, "tokens never reach the log")
	}
	assert.True(t, strings.Contains(out, `"access":"auth bearer, TLS"`), "the first line says how access is guarded")
}

// Mutual TLS through the built binary: the handshake asks for a client certificate but
// lets probes in without one; /api/* answers only a client the CA verified, named by its
// certificate in the log.
func TestServeMutualTLS(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	serverCA, clientCA := testkit.NewAuthority(t, "server-ca"), testkit.NewAuthority(t, "client-ca")
	certFile, keyFile, caFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "ca.crt")
	server := serverCA.IssueServer(t, "contextapi")
	require.NoError(t, os.WriteFile(certFile, server.CertPEM, 0o600))
	require.NoError(t, os.WriteFile(keyFile, server.KeyPEM, 0o600))
	require.NoError(t, os.WriteFile(caFile, clientCA.CertPEM(), 0o600))
	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--drain-delay", "0s", "--log-format", "json",
		"--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-client-ca-file", caFile)
	cmd.Env = cleanEnv()
	logs := &testkit.Buffer{}
	cmd.Stderr = logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	client := func(certs ...tls.Certificate) *http.Client {
		cfg := &tls.Config{RootCAs: serverCA.Pool(), MinVersion: tls.VersionTLS12}
		if len(certs) > 0 {
			cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &certs[0], nil }
		}
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
	}
	status := func(c *http.Client, path string) int {
		res, err := c.Get("https://" + addr + path)
		if err != nil {
			return 0
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		return res.StatusCode
	}
	anonymous := client()
	require.Eventually(t, func() bool { return status(anonymous, "/health/ready") == 200 }, 10*time.Second, 50*time.Millisecond,
		"probes carry no certificate and get in")
	assert.Equal(t, 401, status(anonymous, "/api/v1/incidents/1"))
	mallory := testkit.NewAuthority(t, "stranger-ca").IssueClient(t, "mallory").TLSCertificate(t)
	assert.Equal(t, 0, status(client(mallory), "/api/v1/incidents/1"), "a certificate the CA does not verify fails the handshake")
	holmes := clientCA.IssueClient(t, "holmesgpt-api").TLSCertificate(t)
	assert.Equal(t, 200, status(client(holmes), "/api/v1/incidents/1"))
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"principal":"cert:holmesgpt-api"`) },
		2*time.Second, 20*time.Millisecond)
	assert.NotContains(t, logs.String(), "authentication is off", "mutual TLS guards the API")
}

// With authentication off, the first log line warns when the API listens beyond
// loopback, and only then.
func TestFirstLogLineWarnsWhenTheAPIIsOpenToAll(t *testing.T) {
	bin := buildBinary(t)
	port := strings.TrimPrefix(freePort(t), "127.0.0.1:")
	open := exec.Command(bin, "serve", "--demo", "--addr", ":"+port)
	open.Env = cleanEnv()
	first := started(t, open)
	assert.Equal(t, "WARN", first["level"])
	assert.Contains(t, first["warning"], "authentication is off")
	assert.Equal(t, "auth none", first["access"])

	loopback := exec.Command(bin, "serve", "--demo", "--addr", freePort(t))
	loopback.Env = cleanEnv()
	first = started(t, loopback)
	assert.Equal(t, "INFO", first["level"])
	assert.NotContains(t, first, "warning")
}
