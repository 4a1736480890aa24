package ratelimit

import (
	"container/list"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a Limiter.
type Options struct {
	// Rate is how many requests per second a key earns back (required, > 0; above 1e9
	// it acts as 1e9, one per nanosecond).
	Rate float64
	// Burst is how many requests a key may make at once (>= 1; default max(1, ⌈Rate⌉)).
	Burst int
	// Now is the clock buckets refill on (default time.Now); tests move it.
	Now func() time.Time
	// MaxKeys bounds how many keys are tracked (default 100,000).
	MaxKeys int
	// Registerer receives the limiter's metrics; nil registers none. At most one
	// Limiter per Registerer.
	Registerer prometheus.Registerer
}

// Decision is what Allow decided for one request.
type Decision struct {
	// Allowed is whether the request may proceed (it has spent a token).
	Allowed bool
	// Remaining is how many more requests the key may make right now.
	Remaining int
	// RetryAfter is, when refused, how long until the key has a token again; else 0.
	RetryAfter time.Duration
	// Reset is how long until the key's bucket is full again.
	Reset time.Duration
}

// Limiter holds one token bucket per key. It is safe for concurrent use.
//
// Each bucket is kept as the time it will be full again (the "theoretical arrival
// time" of GCRA), so a decision is integer arithmetic on durations: exact, whatever the
// clock. Tokens arrive one interval apart, the interval being 1/Rate truncated to a
// whole nanosecond: at 3 per second, 333,333,333ns, three billionths more than Rate.
// Truncating (not rounding up) keeps a reported reset within the policy's window.
type Limiter struct {
	interval time.Duration // between two tokens
	burst    int
	window   time.Duration // burst × interval: how long an empty bucket takes to fill
	policy   string
	now      func() time.Time
	maxKeys  int
	metrics  *metrics

	mu      sync.Mutex
	buckets map[string]*list.Element // of *bucket
	lru     list.List                // most recently used at the front
}

// bucket is one key's budget.
type bucket struct {
	key  string
	full time.Time // when the bucket is full again; at or before now, it is full
}

// pruneAtMost bounds the idle buckets one call drops, so no Allow does unbounded work.
// Two per call is enough for idle buckets to drain, as each call adds at most one.
const pruneAtMost = 2

// Validate reports whether a limiter can honour opts: a positive finite Rate, Burst and
// MaxKeys not negative, and a window (Burst/Rate) within 290 years. Configuration
// should call it, so that New never panics on a value a user typed.
func (o Options) Validate() error {
	if !(o.Rate > 0) || math.IsInf(o.Rate, 1) {
		return fmt.Errorf("ratelimit: rate must be a positive finite number, not %v", o.Rate)
	}
	if o.Burst < 0 || o.MaxKeys < 0 {
		return fmt.Errorf("ratelimit: burst (%d) and max keys (%d) must not be negative", o.Burst, o.MaxKeys)
	}
	o = o.withDefaults()
	if _, ok := interval(o.Rate, o.Burst); !ok {
		return fmt.Errorf("ratelimit: %d requests at %v per second take too long to refill", o.Burst, o.Rate)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Burst == 0 {
		o.Burst = max(1, int(math.Ceil(min(o.Rate, 1e9))))
	}
	if o.MaxKeys == 0 {
		o.MaxKeys = 100_000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// interval is the time between two tokens, 1/rate truncated to a whole nanosecond (at
// least one); ok is false when burst of them overflow a Duration.
func interval(rate float64, burst int) (d time.Duration, ok bool) {
	nanos := math.Trunc(float64(time.Second) / min(rate, 1e9))
	if nanos >= math.MaxInt64 || time.Duration(nanos) > math.MaxInt64/time.Duration(burst) {
		return 0, false
	}
	return max(time.Duration(nanos), 1), true
}

// New returns a limiter. It panics when opts.Validate fails.
func New(opts Options) *Limiter {
	if err := opts.Validate(); err != nil {
		panic(err.Error())
	}
	opts = opts.withDefaults()
	every, _ := interval(opts.Rate, opts.Burst)
	l := &Limiter{
		interval: every,
		burst:    opts.Burst,
		now:      opts.Now,
		maxKeys:  opts.MaxKeys,
		buckets:  make(map[string]*list.Element),
	}
	l.window = time.Duration(l.burst) * l.interval
	l.policy = policy(l.burst, l.window)
	l.metrics = newMetrics(opts.Registerer, l.keys)
	return l
}

// Allow spends one token of key's bucket if it has one.
func (l *Limiter) Allow(key string) Decision {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key, now)
	backlog := max(b.full.Sub(now), 0) // time until full; each spent token adds one interval
	if backlog+l.interval > l.window {
		return Decision{Remaining: l.remaining(backlog), RetryAfter: backlog + l.interval - l.window, Reset: backlog}
	}
	backlog += l.interval
	b.full = now.Add(backlog)
	return Decision{Allowed: true, Remaining: l.remaining(backlog), Reset: backlog}
}

// remaining is how many whole tokens a bucket holds when it is backlog short of full.
func (l *Limiter) remaining(backlog time.Duration) int {
	return int((l.window - backlog) / l.interval)
}

// bucket returns key's bucket, marked most recently used, creating it full if needed.
// It drops idle buckets from the end of the line first, and the least recently used one
// when a new key would exceed MaxKeys. l.mu must be held.
func (l *Limiter) bucket(key string, now time.Time) *bucket {
	for range pruneAtMost {
		last := l.lru.Back()
		if last == nil || last.Value.(*bucket).full.After(now) {
			break
		}
		l.drop(last)
	}
	if e, ok := l.buckets[key]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*bucket)
	}
	if len(l.buckets) >= l.maxKeys {
		last := l.lru.Back()
		if last.Value.(*bucket).full.After(now) {
			l.metrics.evictions.Inc() // its owner gets a full bucket back early
		}
		l.drop(last)
	}
	b := &bucket{key: key, full: now}
	l.buckets[key] = l.lru.PushFront(b)
	return b
}

// drop forgets one bucket. l.mu must be held.
func (l *Limiter) drop(e *list.Element) {
	l.lru.Remove(e)
	delete(l.buckets, e.Value.(*bucket).key)
}

// keys is how many buckets are kept.
func (l *Limiter) keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
