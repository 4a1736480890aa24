package openai

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/promreg"
)

// Outcomes of one attempt, the label of contextapi_embedder_requests_total.
const (
	outcomeOK          = "ok"
	outcomeThrottled   = "throttled"    // 429
	outcomeServerError = "server_error" // 5xx
	outcomeRejected    = "rejected"     // other 4xx: not retried
	outcomeUnreachable = "unreachable"  // connection error or timeout
	outcomeInvalid     = "invalid"      // a 200 whose body is not a usable answer
)

// metrics are the embedder client's Prometheus series.
type metrics struct {
	requests *prometheus.CounterVec
	latency  prometheus.Histogram
	texts    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_embedder_requests_total",
			Help: "Requests to the embeddings endpoint, retries included, by outcome: ok, throttled (429), server_error (5xx), rejected (other 4xx), unreachable (connection error or timeout), invalid (an unusable answer).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "contextapi_embedder_request_duration_seconds",
			Help:    "Time of one request to the embeddings endpoint, whatever its outcome.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}),
		texts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contextapi_embedder_texts_total",
			Help: "Texts embedded successfully.",
		}),
	}
	if reg != nil {
		m.requests = promreg.Once(reg, m.requests)
		m.latency = promreg.Once(reg, m.latency)
		m.texts = promreg.Once(reg, m.texts)
	}
	for _, o := range []string{outcomeOK, outcomeThrottled, outcomeServerError, outcomeRejected, outcomeUnreachable, outcomeInvalid} {
		m.requests.WithLabelValues(o) // expose zeros from the start
	}
	return m
}
