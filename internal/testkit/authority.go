package testkit

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Authority is a certificate authority made for one test. It issues server and client
// certificates, valid from an hour ago until a day from now, that a peer trusting it
// (Pool, CertPEM) accepts. It is safe for concurrent use.
type Authority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

// Issued is a certificate an Authority issued and its private key, in PEM, as the
// certificate and key files of a server or client hold them.
type Issued struct {
	CertPEM []byte // one CERTIFICATE block
	KeyPEM  []byte // one PKCS #8 PRIVATE KEY block
}

// NewAuthority returns an authority whose self-signed certificate has the common name
// name.
func NewAuthority(t testing.TB, name string) *Authority {
	t.Helper()
	key := newKey(t)
	tmpl := template(t, name)
	tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &Authority{cert: cert, key: key, certPEM: pemBlock("CERTIFICATE", der)}
}

// CertPEM returns the authority's certificate in PEM, as a CA file holds it. The slice
// is the caller's own to change.
func (a *Authority) CertPEM() []byte { return bytes.Clone(a.certPEM) }

// Pool returns a pool holding only the authority's certificate, to trust it as a root
// or client CA.
func (a *Authority) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}

// IssueServer issues a server certificate with the common name name, for the loopback
// addresses: localhost, 127.0.0.1 and ::1.
func (a *Authority) IssueServer(t testing.TB, name string) Issued {
	t.Helper()
	tmpl := template(t, name)
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	tmpl.DNSNames = []string{"localhost"}
	tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	return a.issue(t, tmpl)
}

// IssueClient issues a client certificate with the common name name.
func (a *Authority) IssueClient(t testing.TB, name string) Issued {
	t.Helper()
	tmpl := template(t, name)
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return a.issue(t, tmpl)
}

func (a *Authority) issue(t testing.TB, tmpl *x509.Certificate) Issued {
	t.Helper()
	key := newKey(t)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return Issued{CertPEM: pemBlock("CERTIFICATE", der), KeyPEM: pemBlock("PRIVATE KEY", keyDER)}
}

// TLSCertificate returns the certificate and key for a tls.Config, its Leaf parsed.
func (i Issued) TLSCertificate(t testing.TB) tls.Certificate {
	t.Helper()
	cert, err := tls.X509KeyPair(i.CertPEM, i.KeyPEM)
	require.NoError(t, err)
	return cert
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return key
}

// template starts a certificate for name with a random serial number, valid from an hour
// ago (clocks differ) until a day from now.
func template(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	require.NoError(t, err)
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
	}
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}
