// Package ratelimit keeps a token bucket per key: each key may spend Burst requests at
// once, and earns them back at Rate per second. The HTTP adapter calls it once per
// request and turns its Decision into a 429 and the RateLimit header fields; the limiter
// itself never looks at a request.
//
// The caller chooses the key: the authenticated principal, or else the connection's
// peer address. Keys must never come from client-supplied headers (X-Forwarded-For,
// X-Real-IP, Forwarded): a client that names its own key gets a fresh bucket per request,
// which is how Echo v4's RealIP-based rate limiter could be bypassed (GO-2026-6872).
//
// Memory is bounded: at most MaxKeys buckets are kept, the least recently used going
// first, and a bucket that has refilled is dropped as soon as it reaches the end of the
// line, since a full bucket is the same as no bucket.
package ratelimit
