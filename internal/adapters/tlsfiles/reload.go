package tlsfiles

import (
	"crypto/tls"
	"log/slog"
	"os"
	"slices"
	"time"
)

// recheckInterval bounds how often a handshake looks at the files: three stats at most
// once a second cost nothing next to the handshakes they serve.
const recheckInterval = time.Second

// maybeReload lets the first handshake after each interval check the files and load what
// changed. Concurrent handshakes do not wait for that: they use what is loaded.
func (r *Reloader) maybeReload() {
	now := r.opts.Now().UnixNano()
	next := r.nextCheck.Load()
	if now < next || !r.nextCheck.CompareAndSwap(next, now+int64(recheckInterval)) {
		return
	}
	r.reload()
}

// reload loads the certificate pair and the client CAs when their files changed. A
// replacement that does not load (half-written, key and certificate not matching, gone)
// keeps what was loaded before and is reported once.
func (r *Reloader) reload() {
	r.reloading.Lock()
	defer r.reloading.Unlock()
	log := r.opts.Logger
	if changed, err := r.pair.changed(); err != nil {
		log.Warn("tlsfiles: certificate files unreadable; keeping the certificate loaded before", "error", err)
	} else if changed {
		if cert, err := loadPair(r.opts.CertFile, r.opts.KeyFile); err != nil {
			log.Warn("tlsfiles: certificate files changed but do not load; keeping the certificate loaded before", "error", err)
		} else {
			r.cert.Store(cert)
			log.Info("tlsfiles: certificate reloaded", "file", r.opts.CertFile, "certificate", describe(cert))
		}
	}
	if r.opts.ClientCAFile == "" {
		return
	}
	if changed, err := r.clientCAs.changed(); err != nil {
		log.Warn("tlsfiles: client CA file unreadable; keeping the client CAs loaded before", "error", err)
	} else if changed {
		if pool, n, err := loadPool(r.opts.ClientCAFile); err != nil {
			log.Warn("tlsfiles: client CA file changed but does not load; keeping the client CAs loaded before", "error", err)
		} else {
			r.pool.Store(pool)
			log.Info("tlsfiles: client CAs reloaded", "file", r.opts.ClientCAFile, "certificates", n)
		}
	}
}

// files are files loaded together, with the version of each last read.
type files struct {
	paths []string
	seen  []os.FileInfo // nil when a stat failed last time
}

// changed stats the files (following symlinks) and tells whether any is not the version
// last read; it then takes the new versions as read, loaded or not, so a bad version is
// reported once. A failed stat is returned the first time only.
func (f *files) changed() (bool, error) {
	infos := make([]os.FileInfo, len(f.paths))
	for i, path := range f.paths {
		info, err := os.Stat(path)
		if err != nil {
			wasThere := f.seen != nil
			f.seen = nil
			if wasThere {
				return false, err
			}
			return false, nil
		}
		infos[i] = info
	}
	if f.seen != nil && slices.EqualFunc(f.seen, infos, sameVersion) {
		return false, nil
	}
	f.seen = infos
	return true, nil
}

// sameVersion compares what a stat shows. Identity matters: a Secret volume update swaps
// a symlink to new files that may have the old ones' sizes and times.
func sameVersion(x, y os.FileInfo) bool {
	return os.SameFile(x, y) && x.ModTime().Equal(y.ModTime()) && x.Size() == y.Size()
}

// describe names a certificate for the log: subject, serial and expiry.
func describe(cert *tls.Certificate) slog.Value {
	if cert.Leaf == nil {
		return slog.StringValue("unparsed")
	}
	return slog.GroupValue(
		slog.String("subject", cert.Leaf.Subject.String()),
		slog.String("serial", cert.Leaf.SerialNumber.String()),
		slog.Time("not_after", cert.Leaf.NotAfter))
}
