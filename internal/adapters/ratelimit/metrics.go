package ratelimit

import "github.com/prometheus/client_golang/prometheus"

// metrics are the limiter's Prometheus series. Refusals are counted by the HTTP layer
// (contextapi_http_shed_total{reason="rate_limit"}), which knows what it refused.
type metrics struct {
	evictions prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, keys func() int) *metrics {
	m := &metrics{
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contextapi_ratelimit_evictions_total",
			Help: "Rate-limit keys forgotten before their budget refilled, to stay within the bound on keys; such a key starts again with a full budget.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.evictions, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "contextapi_ratelimit_keys",
			Help: "Keys (principals or peer addresses) whose rate-limit budget is tracked.",
		}, func() float64 { return float64(keys()) }))
	}
	return m
}
