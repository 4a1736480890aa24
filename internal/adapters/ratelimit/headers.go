package ratelimit

import (
	"strconv"
	"time"
)

// The header field values follow draft-ietf-httpapi-ratelimit-headers (revisions -08
// on), Structured Field lists with one member, the policy named "default":
//
//	RateLimit-Policy: "default";q=<burst>;w=<window>
//	RateLimit:        "default";r=<remaining>;t=<reset>
//
// q is the quota (Burst requests); w the window in seconds, the time an empty bucket
// takes to fill (Burst/Rate rounded up, at least 1); r the requests left now; t the
// seconds until the bucket is full again, rounded up. Rounding up never promises a
// client more than it has.

// Policy is the RateLimit-Policy field value, the same for every response.
func (l *Limiter) Policy() string { return l.policy }

func policy(burst int, window time.Duration) string {
	return `"default";q=` + strconv.Itoa(burst) + ";w=" + strconv.FormatInt(max(ceilSeconds(window), 1), 10)
}

// Header is the RateLimit field value for this decision.
func (d Decision) Header() string {
	return `"default";r=` + strconv.Itoa(d.Remaining) + ";t=" + strconv.FormatInt(ceilSeconds(d.Reset), 10)
}

// ceilSeconds is d in whole seconds, rounded up; 0 for d <= 0.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d-1)/time.Second) + 1
}
