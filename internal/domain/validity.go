package domain

import "time"

// ReadSource says how a repository answered a read.
type ReadSource int

// Read sources. The zero value is a read answered by a repository with no cache in
// front: nothing was stored, so nothing built from it can be reused.
const (
	// ReadDirect: straight from the repository, no cache involved.
	ReadDirect ReadSource = iota
	// ReadHit: a cached value still within its freshness.
	ReadHit
	// ReadMiss: loaded from the repository through a cache (and usually stored there).
	ReadMiss
	// ReadStale: a cached value past its freshness, because the repository was
	// unavailable.
	ReadStale
)

// Read is how a repository answered one read: its source, the version of the stored
// value it returned ("" when nothing was stored), and how old its oldest part is.
type Read struct {
	Source  ReadSource
	Version string
	// AsOf, when set, is when the oldest part of the answer was read from the store: an
	// answer combined from values stored at different times (a cache's per-day partial
	// aggregates) reflects the store as of then, not as of the read. A cache that keeps
	// such an answer must count its freshness from AsOf. Zero: read just now.
	AsOf time.Time
}

// Validity is what an answer built from reads may claim: how fresh its reads were,
// which stored values it was built from, and how long it stays right whatever they do.
// Use cases return one with every answer; the HTTP layer turns it into a Cache-Status
// header and decides with it whether the encoded answer may be replayed. The zero
// value is an answer that read nothing.
type Validity struct {
	reads []Read
	// maxAge, when bounded, is how long from now the answer stays right: answers
	// computed from the clock (a window ending today) change with it.
	maxAge  time.Duration
	bounded bool
}

// Add notes one read the answer was built from.
func (v *Validity) Add(r Read) { v.reads = append(v.reads, r) }

// ExpireWithin notes that the answer stops being right d from now even if every value
// it read stays stored (a window ending today, starting on this minute). The shortest
// bound wins.
func (v *Validity) ExpireWithin(d time.Duration) {
	if !v.bounded || d < v.maxAge {
		v.maxAge, v.bounded = d, true
	}
}

// Source is the least fresh source among the reads that went through a cache (stale
// over miss over hit), and false when none did.
func (v Validity) Source() (ReadSource, bool) {
	worst := ReadDirect
	for _, r := range v.reads {
		worst = max(worst, r.Source)
	}
	return worst, worst != ReadDirect
}

// Reusable says whether the answer may be served again without rebuilding it: every
// read returned a stored value and none was stale, and any clock bound is still ahead.
// It then returns the versions of the stored values, in order (a reused answer is right
// only while each is still the cache's fresh value), and how long at most it stays
// right (0: no clock bound).
func (v Validity) Reusable() (versions []string, maxAge time.Duration, ok bool) {
	if len(v.reads) == 0 || (v.bounded && v.maxAge <= 0) {
		return nil, 0, false
	}
	versions = make([]string, len(v.reads))
	for i, r := range v.reads {
		if r.Version == "" || r.Source == ReadStale {
			return nil, 0, false
		}
		versions[i] = r.Version
	}
	if v.bounded {
		maxAge = v.maxAge
	}
	return versions, maxAge, true
}
