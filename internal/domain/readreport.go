package domain

import (
	"context"
	"strings"
	"sync"
	"time"
)

// ReadSource says where an answer to a read came from.
type ReadSource int

// Read sources: fresh from a cache, from the repository (possibly stored in a cache on
// the way), or from a cache past its freshness because the repository was unavailable.
const (
	ReadHit ReadSource = iota + 1
	ReadMiss
	ReadStale
)

// ReadReport gathers how the reads of one request were answered, so an outer layer can
// tell its client (e.g. an HTTP Cache-Status header) and reuse work derived from the
// same cached values. Each read names the stored version it returned ("" when nothing
// was stored). Safe for concurrent use; a nil report records nothing.
type ReadReport struct {
	mu       sync.Mutex
	sources  []ReadSource
	versions []string
	// expiresIn, when set, bounds how long the answer stays right whatever its stored
	// values do: answers computed from the clock change with it.
	expiresIn    time.Duration
	hasExpiresIn bool
}

type readReportKey struct{}

// WithReadReport returns a context whose reads are recorded in the returned report.
func WithReadReport(ctx context.Context) (context.Context, *ReadReport) {
	r := &ReadReport{}
	return context.WithValue(ctx, readReportKey{}, r), r
}

// ReadReportFrom returns the context's report, or nil.
func ReadReportFrom(ctx context.Context) *ReadReport {
	r, _ := ctx.Value(readReportKey{}).(*ReadReport)
	return r
}

// Record notes one read and the stored version it returned.
func (r *ReadReport) Record(source ReadSource, version string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sources = append(r.sources, source)
	r.versions = append(r.versions, version)
}

// Summary is the least fresh source among the reads (stale over miss over hit), and
// false when nothing was recorded.
func (r *ReadReport) Summary() (ReadSource, bool) {
	if r == nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.sources) == 0 {
		return 0, false
	}
	worst := ReadHit
	for _, s := range r.sources {
		if s > worst {
			worst = s
		}
	}
	return worst, true
}

// Versions identifies every stored value the request read, in order, and is false when
// some read returned nothing stored (so its answer cannot be reused).
func (r *ReadReport) Versions() (string, bool) {
	list, ok := r.VersionList()
	if !ok {
		return "", false
	}
	return strings.Join(list, "|"), true
}

// VersionList is Versions as a list: every stored value the request read, in order,
// and false when some read returned nothing stored.
func (r *ReadReport) VersionList() ([]string, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.versions) == 0 {
		return nil, false
	}
	for _, v := range r.versions {
		if v == "" {
			return nil, false
		}
	}
	return append([]string(nil), r.versions...), true
}

// ExpiresIn notes that the answer being built stops being right d from now even if
// every value it read stays stored (a window ending today, starting on this minute),
// so nothing derived from it is reused after that. The shortest bound wins.
func (r *ReadReport) ExpiresIn(d time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.hasExpiresIn || d < r.expiresIn {
		r.expiresIn, r.hasExpiresIn = d, true
	}
}

// Expiry is the shortest ExpiresIn noted, and false when the answer depends on its
// stored values alone.
func (r *ReadReport) Expiry() (time.Duration, bool) {
	if r == nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.expiresIn, r.hasExpiresIn
}
