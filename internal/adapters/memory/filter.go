package memory

import (
	"slices"
	"strings"

	"github.com/contextapi/contextapi/internal/domain"
)

// matches reports whether e satisfies every condition of f. It mirrors the SQL the
// PostgreSQL adapter runs: a NULL column equals no value, the phase is derived from the
// status (NULL and unknown statuses are pending), kinds compare in lower case, and the
// time window is [Since, Until) on the start time.
func matches(e *domain.IncidentEvent, f *domain.Filter) bool {
	return anyOfNullable(f.Namespaces, e.Namespace) &&
		(!f.NullNamespace || e.Namespace == nil) &&
		anyOfNullable(f.ClusterNames, e.ClusterName) &&
		anyOfNullable(f.Environments, e.Environment) &&
		anyOf(f.ActionTypes, e.ActionType) &&
		anyOf(f.Severities, e.Severity) &&
		(len(f.Phases) == 0 || slices.Contains(f.Phases, e.Phase())) &&
		anyOfNullable(f.Statuses, e.Status) &&
		anyOf(f.Names, e.Name) &&
		anyOfNullable(f.AlertFingerprints, e.AlertFingerprint) &&
		anyOf(f.RemediationRequestIDs, e.RemediationRequestID) &&
		anyOf(f.TargetKinds, strings.ToLower(e.TargetResource)) &&
		anyOf(f.TargetNames, e.TargetName) &&
		(f.Since == nil || !e.StartTime.Before(*f.Since)) &&
		(f.Until == nil || e.StartTime.Before(*f.Until))
}

// onObject reports whether e is about the object o: the same namespace, NULL only
// matching NULL (SQL's IS NOT DISTINCT FROM), the same kind ignoring case, the same name.
func onObject(e *domain.IncidentEvent, o *domain.ObjectRef) bool {
	sameNamespace := (e.Namespace == nil) == (o.Namespace == nil) &&
		(e.Namespace == nil || *e.Namespace == *o.Namespace)
	return sameNamespace && strings.ToLower(e.TargetResource) == o.Kind && e.TargetName == o.Name
}

// anyOf reports whether v is one of values; no values means no condition.
func anyOf(values []string, v string) bool {
	return len(values) == 0 || slices.Contains(values, v)
}

// anyOfNullable is anyOf for a nullable column: NULL matches no value, not even "".
func anyOfNullable(values []string, v *string) bool {
	if len(values) == 0 {
		return true
	}
	return v != nil && slices.Contains(values, *v)
}
