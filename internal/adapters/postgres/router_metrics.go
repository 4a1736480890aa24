package postgres

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/promreg"
)

// routerMetrics export each target of a Router: its state, its replay lag and the reads
// routed to it. The target label is "primary" or "replica-N (host:port)", never a URL,
// which may hold a password.
type routerMetrics struct {
	state      *prometheus.GaugeVec
	lag        *prometheus.GaugeVec
	reads      *prometheus.CounterVec
	statements *prometheus.CounterVec
}

func newRouterMetrics(reg prometheus.Registerer) *routerMetrics {
	m := &routerMetrics{
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "contextapi_db_target_state",
			Help: "1 for the state each database target is in (unknown, up, lagging, down), 0 for the others.",
		}, []string{"target", "role", "state"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "contextapi_db_target_replay_lag_seconds",
			Help: "Replay lag of each replica as last measured on it (0 when it has replayed all it received; +Inf when unknown).",
		}, []string{"target", "role"}),
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_db_target_reads_total",
			Help: "Repository reads sent to each database target, by outcome: ok (answered), unavailable (could not answer: the read went on to the next target), canceled, error.",
		}, []string{"target", "role", "outcome"}),
		statements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_db_target_statements_total",
			Help: "Statements sent to each database target (a read sends one or two), by outcome: ok or error.",
		}, []string{"target", "role", "outcome"}),
	}
	if reg != nil {
		m.state = promreg.Once(reg, m.state)
		m.lag = promreg.Once(reg, m.lag)
		m.reads = promreg.Once(reg, m.reads)
		m.statements = promreg.Once(reg, m.statements)
	}
	return m
}

// setState sets t's state series and, for a replica, its lag.
func (m *routerMetrics) setState(t *target, s targetState, lag float64) {
	for i, name := range stateNames {
		v := 0.0
		if targetState(i) == s {
			v = 1
		}
		m.state.WithLabelValues(t.name, t.role, name).Set(v)
	}
	if t.role == roleReplica {
		m.lag.WithLabelValues(t.name, t.role).Set(lag)
	}
}

// attach makes t's repository count its statements under t's labels.
func (m *routerMetrics) attach(t *target) {
	t.repo.targetStatements = m.statements.MustCurryWith(prometheus.Labels{"target": t.name, "role": t.role})
}

// read counts a read sent to t.
func (m *routerMetrics) read(t *target, outcome string) {
	m.reads.WithLabelValues(t.name, t.role, outcome).Inc()
}

// Statements returns how many statements the target named name sent with outcome (tests).
func (r *Router) Statements(name, outcome string) float64 {
	for _, t := range r.targets() {
		if t.name == name {
			return readCounter(r.metrics.statements.WithLabelValues(t.name, t.role, outcome))
		}
	}
	return 0
}

// Reads returns how many reads the target named name answered with outcome (tests).
func (r *Router) Reads(name, outcome string) float64 {
	for _, t := range r.targets() {
		if t.name == name {
			return readCounter(r.metrics.reads.WithLabelValues(t.name, t.role, outcome))
		}
	}
	return 0
}
