package admission

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the admission gate's Prometheus series. Requests answered 503 because of a
// refusal are counted by the HTTP layer (contextapi_http_shed_total{reason="overload"});
// one refused read may fail several requests that shared it, or none (a stale answer).
type metrics struct {
	inFlight prometheus.Gauge
	waiting  prometheus.Gauge
	refused  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "contextapi_db_queries_in_flight",
			Help: "Repository reads admitted and running against the database.",
		}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "contextapi_db_queries_waiting",
			Help: "Repository reads waiting for an admission slot.",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contextapi_db_queries_refused_total",
			Help: "Repository reads refused admission: no slot within queue_timeout, or the wait queue full.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.inFlight, m.waiting, m.refused)
	}
	return m
}
