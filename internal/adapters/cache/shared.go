package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Shared is a second cache tier that several processes share (Redis): the cache
// keeps its entries there too, so a value one process loaded answers the others, and
// uses its leases so that one process of the fleet loads a missing value. Every method
// may fail; the cache then carries on with its own tier alone.
type Shared interface {
	// Get returns the bytes stored under key; found is false when there are none.
	Get(ctx context.Context, key string) (value []byte, found bool, err error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Acquire takes the lease named key for ttl unless another holder has it.
	Acquire(ctx context.Context, key, token string, ttl time.Duration) (bool, error)
	// Release gives the lease back if token still holds it.
	Release(ctx context.Context, key, token string) error
	// Ping checks that the tier answers (the reconnection probe).
	Ping(ctx context.Context) error
}

// SharedOptions configure the shared tier (Options.Shared).
type SharedOptions struct {
	// Tier is the shared store; nil: the in-process tier alone.
	Tier Shared
	// Timeout bounds every call to the tier (default 50ms): past it the call counts as
	// failed, the tier is skipped until a probe finds it again, and the request goes on
	// from the in-process tier and the repository.
	Timeout time.Duration
	// LeaseWait bounds how long a miss waits for another process's load of the same
	// value before loading it itself (default 1s).
	LeaseWait time.Duration
	// ProbeInterval is how often a tier found failing is pinged (default 1s).
	ProbeInterval time.Duration
	// Logger receives one line each time the tier stops or starts answering.
	Logger *slog.Logger
}

func (o SharedOptions) withDefaults() SharedOptions {
	if o.Timeout <= 0 {
		o.Timeout = 50 * time.Millisecond
	}
	if o.LeaseWait <= 0 {
		o.LeaseWait = time.Second
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// tier wraps Shared so that it fails open: each call is bounded by the timeout, and
// after a failure every call is skipped (no added latency) until the background probe
// reaches the tier again.
type tier struct {
	s    Shared
	opts SharedOptions
	// leaseTTL bounds a lease whose holder never gives it back (the load's own bound).
	leaseTTL time.Duration
	process  string // the cache's: lease tokens never collide across the fleet
	tokens   atomic.Uint64
	up       atomic.Bool
	probing  atomic.Bool
	stop     chan struct{}
	stopped  sync.Once
	wg       sync.WaitGroup

	requests                          *prometheus.CounterVec
	hits, misses, errs, skipped       prometheus.Counter
	leaseWaits                        *prometheus.CounterVec
	waitServed, waitTimeout, waitLoad prometheus.Counter
	upGauge                           prometheus.Gauge
}

func newTier(opts SharedOptions, process string, leaseTTL time.Duration, reg prometheus.Registerer) *tier {
	opts = opts.withDefaults()
	t := &tier{s: opts.Tier, opts: opts, process: process, leaseTTL: leaseTTL, stop: make(chan struct{})}
	t.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "contextapi_cache_l2_requests_total",
		Help: "Reads of the shared cache tier (Redis), by result: hit, miss, error (failed or past the timeout), skipped (the tier was down).",
	}, []string{"result"})
	t.hits, t.misses = t.requests.WithLabelValues("hit"), t.requests.WithLabelValues("miss")
	t.errs, t.skipped = t.requests.WithLabelValues("error"), t.requests.WithLabelValues("skipped")
	t.leaseWaits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "contextapi_cache_l2_lease_waits_total",
		Help: "Misses that found another process loading the same value, by outcome: served (its value arrived), load (the lease came free: loaded here), timeout (loaded here after the bounded wait).",
	}, []string{"outcome"})
	t.waitServed, t.waitLoad = t.leaseWaits.WithLabelValues("served"), t.leaseWaits.WithLabelValues("load")
	t.waitTimeout = t.leaseWaits.WithLabelValues("timeout")
	t.upGauge = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "contextapi_cache_l2_up",
		Help: "1 while the shared cache tier (Redis) answers, 0 while it is skipped until a probe reaches it.",
	})
	if reg != nil {
		reg.MustRegister(t.requests, t.leaseWaits, t.upGauge)
	}
	// Down until the first probe answers, which it does at once when the tier is there:
	// a tier absent at start costs no request a timeout.
	t.startProbe(true)
	return t
}

// processID is a random name for a cache, part of every version it makes, so versions
// stay unique across the processes sharing a tier.
func processID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// token names one lease holder.
func (t *tier) token() string {
	return t.process + "." + strconv.FormatUint(t.tokens.Add(1), 36)
}

// do runs f against the tier within the timeout, unless the tier is down. It reports
// false when f was skipped or failed; a failure marks the tier down. A caller that
// left (its own context ended) is not the tier's failure.
func (t *tier) do(ctx context.Context, f func(context.Context) error) bool {
	if !t.up.Load() {
		return false
	}
	callCtx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
	defer cancel()
	if err := f(callCtx); err != nil {
		if ctx.Err() == nil {
			t.down(err)
		}
		return false
	}
	return true
}

// get reads key: found is false on a miss, a failure or while the tier is down.
func (t *tier) get(ctx context.Context, key string) ([]byte, bool) {
	if !t.up.Load() {
		t.skipped.Inc()
		return nil, false
	}
	var (
		value []byte
		found bool
	)
	if !t.do(ctx, func(ctx context.Context) (err error) {
		value, found, err = t.s.Get(ctx, key)
		return err
	}) {
		t.errs.Inc()
		return nil, false
	}
	if !found {
		t.misses.Inc()
		return nil, false
	}
	t.hits.Inc()
	return value, true
}

// set stores value for ttl, best effort.
func (t *tier) set(ctx context.Context, key string, value []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	t.do(ctx, func(ctx context.Context) error { return t.s.Set(ctx, key, value, ttl) })
}

// down marks the tier failing, once per outage, and starts probing it.
func (t *tier) down(err error) {
	if t.up.CompareAndSwap(true, false) {
		t.upGauge.Set(0)
		t.opts.Logger.Warn("shared cache unreachable: serving from the in-process cache alone until it answers again",
			"error", err.Error(), "timeout", t.opts.Timeout)
		t.startProbe(false)
	}
}

// startProbe pings the tier every ProbeInterval until it answers; at once too when
// starting (after a failure, the tier just did not answer). At start it stays silent
// for one interval, so the service's first log line (which names the tier) comes first.
func (t *tier) startProbe(starting bool) {
	if !t.probing.CompareAndSwap(false, true) {
		return
	}
	t.wg.Go(func() {
		ticker := time.NewTicker(t.opts.ProbeInterval)
		defer ticker.Stop()
		if !starting && !t.tick(ticker) {
			return
		}
		for attempt := 0; ; attempt++ {
			ctx, cancel := context.WithTimeout(context.Background(), t.opts.Timeout)
			err := t.s.Ping(ctx)
			cancel()
			if err == nil {
				// Probing ends before the tier is up, so a failure right after starts a new probe.
				t.probing.Store(false)
				t.upGauge.Set(1)
				t.up.Store(true)
				if !starting || attempt > 0 {
					t.opts.Logger.Info("shared cache answers: entries are shared with the other processes again")
				}
				return
			}
			if starting && attempt == 1 { // unreachable since start: say so once
				t.opts.Logger.Warn("shared cache unreachable: serving from the in-process cache alone until it answers",
					"error", err.Error(), "timeout", t.opts.Timeout)
			}
			if !t.tick(ticker) {
				return
			}
		}
	})
}

// tick waits for the probe's next tick; false when the cache closes first.
func (t *tier) tick(ticker *time.Ticker) bool {
	select {
	case <-t.stop:
		t.probing.Store(false)
		return false
	case <-ticker.C:
		return true
	}
}

// close stops the probe.
func (t *tier) close() {
	t.stopped.Do(func() { close(t.stop) })
	t.wg.Wait()
}
