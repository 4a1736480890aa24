package app

import (
	"github.com/contextapi/contextapi/internal/domain"
)

// parseFilter reads the filters of docs/api.md §3.1.
func (r *paramReader) filter() domain.Filter {
	f := domain.Filter{
		Namespaces:        r.strings(paramNamespace),
		ClusterNames:      r.strings(paramClusterName),
		ActionTypes:       r.strings(paramActionType),
		Severities:        r.strings(paramSeverity),
		Statuses:          r.strings(paramStatus),
		Names:             r.strings(paramName),
		AlertFingerprints: r.strings(paramAlertFingerprint),
		Since:             r.time(paramSince),
		Until:             r.time(paramUntil),
	}
	for _, e := range r.strings(paramEnvironment) {
		if !domain.Environment(e).Valid() {
			r.errs.Add(paramEnvironment, "must be one of production, staging, development, test")
			break
		}
		f.Environments = append(f.Environments, e)
	}
	for _, p := range r.strings(paramPhase) {
		if !domain.Phase(p).Valid() {
			r.errs.Add(paramPhase, "must be one of pending, processing, completed, failed")
			break
		}
		f.Phases = append(f.Phases, domain.Phase(p))
	}
	if f.Since != nil && f.Until != nil && f.Since.After(*f.Until) {
		r.errs.Add(paramSince, "must not be after until")
	}
	return f
}
