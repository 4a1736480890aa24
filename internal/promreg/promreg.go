// Package promreg registers Prometheus collectors that several parts of the service (or
// several instances of one adapter, as in tests) may register on one registry.
package promreg

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Once registers c on reg, or returns the equal collector reg already holds, so a second
// registration shares the first one's series. Any other failure is a programming error
// (conflicting definitions under one name) and panics, as prometheus.MustRegister does.
func Once[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if existing, ok := already.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic(fmt.Sprintf("register metrics: %v", err))
}
