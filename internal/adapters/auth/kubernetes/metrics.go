package kubernetes

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/promreg"
)

// metrics count the reviews actually sent, which is what caching and coalescing save.
// Decisions are not counted here: the HTTP layer counts one per request, whatever the
// mode (contextapi_auth_decisions_total).
type metrics struct {
	reviews *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_auth_reviews_total",
			Help: "Reviews sent to the Kubernetes API server, by kind (tokenreview, subjectaccessreview); decisions taken from the cache or shared with a concurrent request send none.",
		}, []string{"kind"}),
	}
	for _, kind := range []string{kindTokenReview, kindAccessReview} {
		m.reviews.WithLabelValues(kind) // expose zeros from the start
	}
	if reg == nil {
		return m
	}
	// A second Authenticator on one registry counts into the first one's series.
	m.reviews = promreg.Once(reg, m.reviews)
	return m
}

// sent counts one review request.
func (m *metrics) sent(kind string) { m.reviews.WithLabelValues(kind).Inc() }
