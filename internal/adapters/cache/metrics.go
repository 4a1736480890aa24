package cache

import (
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the cache's Prometheus series.
type metrics struct {
	requests *prometheus.CounterVec
	hits     prometheus.Counter // requests{result="hit"}, resolved once for replays
	shared   prometheus.Counter
	// partials{unit,result}: closed days and hours answered from a stored partial
	// aggregate (hit), and read from the repository (miss); resolved once.
	dayHits, dayMisses, hourHits, hourMisses prometheus.Counter
}

// parts counts the closed units of one window found stored and missing.
func (m *metrics) parts(unit time.Duration, hits, misses int) {
	if unit == time.Hour {
		m.hourHits.Add(float64(hits))
		m.hourMisses.Add(float64(misses))
		return
	}
	m.dayHits.Add(float64(hits))
	m.dayMisses.Add(float64(misses))
}

func newMetrics(reg prometheus.Registerer, store *ristretto.Cache[string, *entry]) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_cache_requests_total",
			Help: "Repository reads through the cache, by result: hit (fresh), miss (loaded), stale (served past its TTL while the database was unavailable).",
		}, []string{"result"}),
		shared: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contextapi_cache_singleflight_shared_total",
			Help: "Cache misses that joined an identical load already under way instead of querying the database again.",
		}),
	}
	for _, result := range []string{"hit", "miss", "stale"} {
		m.requests.WithLabelValues(result) // expose zeros from the start
	}
	m.hits = m.requests.WithLabelValues("hit")
	partials := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "contextapi_cache_partials_total",
		Help: "Closed UTC days and hours of aggregation windows, by unit (day, hour) and result: hit (answered from a stored partial aggregate), miss (read from the database).",
	}, []string{"unit", "result"})
	m.dayHits, m.dayMisses = partials.WithLabelValues("day", "hit"), partials.WithLabelValues("day", "miss")
	m.hourHits, m.hourMisses = partials.WithLabelValues("hour", "hit"), partials.WithLabelValues("hour", "miss")
	if reg == nil {
		return m
	}
	stats := store.Metrics
	reg.MustRegister(m.requests, m.shared, partials,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "contextapi_cache_entries",
			Help: "Entries in the cache (approximate: admitted minus evicted or expired).",
		}, func() float64 { return float64(stats.KeysAdded()) - float64(stats.KeysEvicted()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "contextapi_cache_cost_bytes",
			Help: "Approximate bytes held by the cache, against its memory bound.",
		}, func() float64 { return float64(stats.CostAdded()) - float64(stats.CostEvicted()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "contextapi_cache_evictions_total",
			Help: "Entries evicted to stay within the memory bound, or expired.",
		}, func() float64 { return float64(stats.KeysEvicted()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "contextapi_cache_rejections_total",
			Help: "Entries the admission policy refused, protecting the hot set.",
		}, func() float64 { return float64(stats.SetsRejected()) }),
	)
	return m
}
