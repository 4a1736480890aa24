package tlsfiles

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Options name the files and the clock.
type Options struct {
	// CertFile holds the server certificate in PEM, leaf first, then any intermediates.
	CertFile string
	// KeyFile holds CertFile's private key in PEM.
	KeyFile string
	// ClientCAFile, when set, holds the PEM CA certificates client certificates must chain
	// to: every client must present one (mutual TLS). Empty: no client certificates.
	ClientCAFile string
	// Now is the clock the re-check interval is measured on (default time.Now); tests
	// move it.
	Now func() time.Time
	// Logger hears of rotations and of replacements that could not be loaded (default:
	// none).
	Logger *slog.Logger
}

// Reloader holds the current certificate and client CA pool. It is safe for concurrent
// use.
type Reloader struct {
	opts Options

	cert atomic.Pointer[tls.Certificate]
	pool atomic.Pointer[x509.CertPool] // nil without ClientCAFile

	nextCheck atomic.Int64 // Unix nanoseconds; see maybeReload
	reloading sync.Mutex   // one reload at a time; guards pair and clientCAs
	pair      files
	clientCAs files
}

// New loads the files. A file that is missing or does not load is an error naming it;
// later replacements that fail to load are only logged.
func New(opts Options) (*Reloader, error) {
	if opts.CertFile == "" || opts.KeyFile == "" {
		return nil, errors.New("tlsfiles: a certificate file and a key file are both required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{opts: opts, pair: files{paths: []string{opts.CertFile, opts.KeyFile}}}
	// Record the versions about to be loaded; a file missing fails the load below.
	_, _ = r.pair.changed()
	cert, err := loadPair(opts.CertFile, opts.KeyFile)
	if err != nil {
		return nil, err
	}
	r.cert.Store(cert)
	if opts.ClientCAFile != "" {
		r.clientCAs = files{paths: []string{opts.ClientCAFile}}
		_, _ = r.clientCAs.changed()
		pool, _, err := loadPool(opts.ClientCAFile)
		if err != nil {
			return nil, err
		}
		r.pool.Store(pool)
	}
	r.nextCheck.Store(opts.Now().Add(recheckInterval).UnixNano())
	return r, nil
}

// TLSConfig returns a new server configuration: TLS 1.2 or later, HTTP/2 or HTTP/1.1,
// the current certificate, and with ClientCAFile, client certificates verified against
// the current pool when given. The handshake does not require one: kubelet probes and
// Prometheus carry none, and health, readiness and metrics stay open; the HTTP layer
// requires a verified certificate of every /api/* request. A certificate that does not
// verify fails the handshake. The pool is chosen per connection by
// GetConfigForClient, from a copy of this configuration, so settings the caller adds
// before serving apply to mutual TLS connections too.
func (r *Reloader) TLSConfig() *tls.Config {
	base := &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"h2", "http/1.1"},
		GetCertificate: r.getCertificate,
	}
	if r.opts.ClientCAFile == "" {
		return base
	}
	// Set here too, so a copy that loses GetConfigForClient still refuses strangers.
	base.ClientAuth = tls.VerifyClientCertIfGiven
	base.ClientCAs = r.pool.Load()
	base.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		r.maybeReload()
		c := base.Clone()
		c.GetConfigForClient = nil
		c.ClientCAs = r.pool.Load()
		return c, nil
	}
	return base
}

func (r *Reloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.maybeReload()
	return r.cert.Load(), nil
}
