package postgres

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

// Metrics counts and times every statement sent to the database, labelled by the
// repository operation that sent it.
type Metrics struct {
	queries  *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers contextapi_db_queries_total and contextapi_db_query_duration_seconds.
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
	}
	if reg != nil {
		reg.MustRegister(m.queries, m.duration)
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

type opKey struct{}

// withOp labels the statements sent under ctx.
func withOp(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

func opOf(ctx context.Context) string {
	if ctx != nil {
		if op, ok := ctx.Value(opKey{}).(string); ok {
			return op
		}
	}
	return "other"
}

const startKey = "contextapi:start"

// instrument hooks the metrics into every GORM processor that sends SQL.
func (m *Metrics) instrument(db *gorm.DB) error {
	before := func(tx *gorm.DB) { tx.InstanceSet(startKey, time.Now()) }
	after := func(tx *gorm.DB) {
		if tx.DryRun {
			return
		}
		op := opOf(tx.Statement.Context)
		m.queries.WithLabelValues(op).Inc()
		if start, ok := tx.InstanceGet(startKey); ok {
			m.duration.WithLabelValues(op).Observe(time.Since(start.(time.Time)).Seconds())
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Query().Before("gorm:query").Register("contextapi:before_query", before),
		cb.Query().After("gorm:query").Register("contextapi:after_query", after),
		cb.Row().Before("gorm:row").Register("contextapi:before_row", before),
		cb.Row().After("gorm:row").Register("contextapi:after_row", after),
		cb.Raw().Before("gorm:raw").Register("contextapi:before_raw", before),
		cb.Raw().After("gorm:raw").Register("contextapi:after_raw", after),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// observe counts a statement sent outside GORM (pings, COPY).
func (m *Metrics) observe(op string, start time.Time) {
	m.queries.WithLabelValues(op).Inc()
	m.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
}
