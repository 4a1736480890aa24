package postgres

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// acquireCounter counts the acquires of the statement pools in progress: requests waiting
// for a connection to be released or opened (or, for a few microseconds, taking an idle
// one). pgxpool's Stat has no such count; the pool calls a tracer on ConnConfig at the
// start and end of every Acquire, and pgx wants that tracer to be a QueryTracer too, whose
// methods do nothing here (statements go in batches, which only a BatchTracer sees).
type acquireCounter struct{ n atomic.Int64 }

var (
	_ pgx.QueryTracer       = (*acquireCounter)(nil)
	_ pgxpool.AcquireTracer = (*acquireCounter)(nil)
	_ prometheus.Collector  = (*poolCollector)(nil)
)

func (a *acquireCounter) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	a.n.Add(1)
	return ctx
}

func (a *acquireCounter) TraceAcquireEnd(context.Context, *pgxpool.Pool, pgxpool.TraceAcquireEndData) {
	a.n.Add(-1)
}

func (*acquireCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (*acquireCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// poolCollector exports the state of the statement pools of the repositories attached to
// it, read from pgxpool's Stat when scraped. Metrics exist before the pool (NewMetrics, then
// Open), so Open attaches its pools and Close detaches them; until then the collector
// exports nothing.
//
// A repository has two statement pools, named and described, and moves from the first to
// the second for good when a transaction pooler loses a prepared statement (pools.go).
// The collector sums both: the connections the process holds, and counters that never go
// back when it moves. The maximum is the pool's (both have the same). Two repositories on
// one registry (tests) share one collector, which sums them.
type poolCollector struct {
	mu       sync.Mutex
	attached []*pools

	conns, maxConns, waits, waitSeconds, waiting *prometheus.Desc
}

func newPoolCollector() *poolCollector {
	return &poolCollector{
		conns: poolDesc(prometheus.GaugeOpts{
			Name: "contextapi_db_pool_connections",
			Help: "Connections of the database pool: open (in_use + idle + being opened), in_use (held by a statement), idle.",
		}, "state"),
		maxConns: poolDesc(prometheus.GaugeOpts{
			Name: "contextapi_db_pool_max_connections",
			Help: "Most connections the database pool opens (db_max_open_conns).",
		}),
		waits: poolDesc(prometheus.CounterOpts{
			Name: "contextapi_db_pool_waits_total",
			Help: "Acquires of a pooled connection that found none idle and waited for one to be released or opened.",
		}),
		waitSeconds: poolDesc(prometheus.CounterOpts{
			Name: "contextapi_db_pool_wait_seconds_total",
			Help: "Time the acquires counted by contextapi_db_pool_waits_total spent waiting.",
		}),
		waiting: poolDesc(prometheus.GaugeOpts{
			Name: "contextapi_db_pool_waiting",
			Help: "Acquires of a pooled connection in progress: statements waiting for a connection to be released or opened.",
		}),
	}
}

// poolDesc describes a series the collector makes at scrape time. It takes the ...Opts
// literal a GaugeFunc or CounterFunc would, so the metric is declared like every other.
func poolDesc[O prometheus.GaugeOpts | prometheus.CounterOpts](opts O, labels ...string) *prometheus.Desc {
	o := prometheus.Opts(opts)
	return prometheus.NewDesc(o.Name, o.Help, labels, nil)
}

func (c *poolCollector) attach(p *pools) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.attached = append(c.attached, p)
}

func (c *poolCollector) detach(p *pools) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.attached = slices.DeleteFunc(c.attached, func(q *pools) bool { return q == p })
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.maxConns, c.waits, c.waitSeconds, c.waiting} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: one Stat snapshot of each pool per scrape.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	attached := slices.Clone(c.attached)
	c.mu.Unlock()
	if len(attached) == 0 {
		return
	}
	var open, inUse, idle, maxConns, waits, waiting int64
	var waitSeconds float64
	for _, p := range attached {
		waiting += p.acquiring.n.Load()
		for i, pool := range p.statementPools() {
			s := pool.Stat()
			if i == 0 { // named and described have the same maximum
				maxConns += int64(s.MaxConns())
			}
			open += int64(s.TotalConns())
			inUse += int64(s.AcquiredConns())
			idle += int64(s.IdleConns())
			waits += s.EmptyAcquireCount()
			waitSeconds += s.EmptyAcquireWaitTime().Seconds()
		}
	}
	gauge := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	gauge(c.conns, open, "open")
	gauge(c.conns, inUse, "in_use")
	gauge(c.conns, idle, "idle")
	gauge(c.maxConns, maxConns)
	gauge(c.waiting, waiting)
	ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(waits))
	ch <- prometheus.MustNewConstMetric(c.waitSeconds, prometheus.CounterValue, waitSeconds)
}
