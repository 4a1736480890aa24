package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/contextapi/contextapi/internal/promreg"
)

// routeUnmatched labels requests no route template matched, so arbitrary paths never
// become label values.
const routeUnmatched = "unmatched"

// httpMetrics are the request metrics of docs/api.md §4.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	// shed counts requests refused to protect the service, by reason: overload (no
	// query slot within queue_timeout) or rate_limit (the caller's budget is spent).
	shed *prometheus.CounterVec
	// authDecisions counts authentication decisions, by mode and result: allowed,
	// unauthenticated, forbidden, unavailable (no decision could be made) or error.
	authDecisions *prometheus.CounterVec
	// series holds each (method, route, code)'s request counter and duration histogram:
	// looking them up by label values hashes the values on every request, and the label
	// sets are bounded (methodLabel, route templates, status codes).
	series sync.Map // requestLabels -> requestSeries
}

type requestLabels struct {
	method, route string
	code          int
}

type requestSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// Reasons of contextapi_http_shed_total.
const (
	shedOverload  = "overload"
	shedRateLimit = "rate_limit"
)

// newHTTPMetrics registers the HTTP metrics and the Go and process collectors on reg.
// Registering is idempotent: what reg already holds is reused, so several servers (or a
// root that registered the runtime collectors itself) can share one registry.
func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: promreg.Once(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_http_requests_total",
			Help: "HTTP requests served, by method, route template and status code.",
		}, []string{"method", "route", "code"})),
		duration: promreg.Once(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "contextapi_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"})),
		inFlight: promreg.Once(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "contextapi_http_requests_in_flight",
			Help: "HTTP requests being served now.",
		})),
		shed: promreg.Once(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_http_shed_total",
			Help: "Requests refused to protect the service, by reason: overload (503, no query slot within queue_timeout) or rate_limit (429).",
		}, []string{"reason"})),
		authDecisions: promreg.Once(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contextapi_auth_decisions_total",
			Help: "Authentication decisions on /api/* requests, by mode and result (allowed, unauthenticated, forbidden, unavailable, error).",
		}, []string{"mode", "result"})),
	}
	// Both reasons exist from the start, so a rate of zero is a series, not an absence.
	m.shed.WithLabelValues(shedOverload)
	m.shed.WithLabelValues(shedRateLimit)
	promreg.Once(reg, collectors.NewGoCollector())
	promreg.Once(reg, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *httpMetrics) observeRequest(method, route string, status int, elapsed time.Duration) {
	labels := requestLabels{methodLabel(method), route, status}
	s, ok := m.series.Load(labels)
	if !ok {
		s, _ = m.series.LoadOrStore(labels, requestSeries{
			requests: m.requests.WithLabelValues(labels.method, route, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(labels.method, route),
		})
	}
	series := s.(requestSeries)
	series.requests.Inc()
	series.duration.Observe(elapsed.Seconds())
}

// methodLabel bounds the method label: clients may send any token as a method.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}
