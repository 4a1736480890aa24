package bearer

import (
	"os"
	"time"
)

// recheckInterval bounds how often a request looks at the file: a stat, at most once a
// second, costs nothing next to the requests it serves.
const recheckInterval = time.Second

// maybeReload lets the first request after each interval check the file and, if it
// changed, load it before authenticating. Concurrent requests do not wait for that: they
// use the tokens already loaded.
func (a *Authenticator) maybeReload() {
	now := a.now().UnixNano()
	next := a.nextCheck.Load()
	if now < next || !a.nextCheck.CompareAndSwap(next, now+int64(recheckInterval)) {
		return
	}
	a.reload()
}

// reload loads the file if it is not the version last read. A version that does not load
// (half-written, malformed, gone) keeps the tokens loaded before and is reported once.
func (a *Authenticator) reload() {
	a.reloading.Lock()
	defer a.reloading.Unlock()
	kept := len(*a.tokens.Load())
	// Stat before reading: if the file changes in between, the next check sees a version
	// it has not read and reads again.
	info, err := os.Stat(a.path)
	if err != nil {
		if a.seen != nil {
			a.logger.Warn("bearer: tokens file unreadable; keeping the tokens loaded before",
				"file", a.path, "tokens", kept, "error", err)
		}
		a.seen = nil
		return
	}
	if a.seen != nil && sameVersion(a.seen, info) {
		return
	}
	a.seen = info
	entries, err := readFile(a.path)
	if err != nil {
		a.logger.Warn("bearer: tokens file changed but does not load; keeping the tokens loaded before",
			"file", a.path, "tokens", kept, "error", err)
		return
	}
	a.tokens.Store(&entries)
	a.logger.Info("bearer: tokens file reloaded", "file", a.path, "tokens", len(entries))
}

// sameVersion compares what a stat shows. Identity matters: a Kubernetes Secret update
// swaps a symlink to a new file that may have the old one's size and time.
func sameVersion(x, y os.FileInfo) bool {
	return os.SameFile(x, y) && x.ModTime().Equal(y.ModTime()) && x.Size() == y.Size()
}
