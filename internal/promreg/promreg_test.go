package promreg

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
)

func TestOnceSharesTheFirstCollector(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := prometheus.CounterOpts{Name: "x_total", Help: "x"}
	first := Once(reg, prometheus.NewCounter(opts))
	second := Once(reg, prometheus.NewCounter(opts))
	assert.Same(t, first, second)
	assert.Panics(t, func() { Once(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: "x_total", Help: "other"})) },
		"another metric under the name is a programming error")
}
