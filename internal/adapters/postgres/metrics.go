package postgres

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/promreg"
)

// Metrics counts and times every statement sent to the database, labelled by the
// repository operation that sent it, and exports the state of the connection pool of the
// repository opened with them (pool_metrics.go).
type Metrics struct {
	queries  *prometheus.CounterVec
	duration *prometheus.HistogramVec
	pool     *poolCollector
}

// NewMetrics registers contextapi_db_queries_total, contextapi_db_query_duration_seconds
// and the pool's contextapi_db_pool_* (read at scrape time from the pool of the repository
// Open gives them to). Metrics made twice on one registry share its collectors.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_db_queries_total",
			Help: "Statements sent to the database, by repository operation.",
		}, []string{"op"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "contextapi_db_query_duration_seconds",
			Help:    "Time from sending a statement to reading its last row, by repository operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"op"}),
		pool: newPoolCollector(),
	}
	if reg != nil {
		m.queries = promreg.Once(reg, m.queries)
		m.duration = promreg.Once(reg, m.duration)
		m.pool = promreg.Once(reg, m.pool)
	}
	return m
}

// Queries returns how many statements op has sent (for tests and benchmarks).
func (m *Metrics) Queries(op string) float64 {
	var out float64
	c, err := m.queries.GetMetricWithLabelValues(op)
	if err == nil {
		out = readCounter(c)
	}
	return out
}

// observe counts a statement sent to the database. GORM only composes statements (in
// dry-run sessions) and sends none, so every statement is counted here, by the code that
// sends it with pgx (fetch, queryRow, fetchGroups, pings).
func (m *Metrics) observe(op string, start time.Time) {
	m.queries.WithLabelValues(op).Inc()
	m.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
}
