package tlsfiles

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// loadPair reads a certificate and its key. Errors name the files and never quote them.
func loadPair(certFile, keyFile string) (*tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile) // #nosec G304 -- the path is the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("tlsfiles: certificate: %w", err)
	}
	if err := checkComplete(certPEM); err != nil {
		return nil, fmt.Errorf("tlsfiles: certificate %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile) // #nosec G304 -- the path is the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("tlsfiles: key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("tlsfiles: certificate %s with key %s: %w", certFile, keyFile, err)
	}
	return &cert, nil
}

// loadPool reads CA certificates and returns them with their count.
func loadPool(file string) (*x509.CertPool, int, error) {
	data, err := os.ReadFile(file) // #nosec G304 -- the path is the operator's own configuration
	if err != nil {
		return nil, 0, fmt.Errorf("tlsfiles: client CA: %w", err)
	}
	if err := checkComplete(data); err != nil {
		return nil, 0, fmt.Errorf("tlsfiles: client CA %s: %w", file, err)
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		ca, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, 0, fmt.Errorf("tlsfiles: client CA %s: certificate %d: %w", file, n+1, err)
		}
		pool.AddCert(ca)
		n++
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("tlsfiles: client CA %s: no certificates", file)
	}
	return pool, n, nil
}

// checkComplete refuses PEM with a block cut short, as a file caught half-written has:
// the standard parsers would quietly drop the block and load the rest.
func checkComplete(data []byte) error {
	rest := data
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
	}
	if bytes.Contains(rest, []byte("-----BEGIN")) {
		return errors.New("a PEM block is cut short or malformed")
	}
	return nil
}
