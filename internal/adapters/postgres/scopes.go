package postgres

import (
	"gorm.io/gorm"

	"github.com/contextapi/contextapi/internal/domain"
)

// scope is a reusable piece of a query.
type scope = func(*gorm.DB) *gorm.DB

// joined is the base of every read that needs the Kubernetes object: the three-table
// join of the Data Storage schema, inner joins as upstream.
func joined(db *gorm.DB) *gorm.DB {
	return db.Table("resource_action_traces AS rat").
		Joins("JOIN action_histories AS ah ON ah.id = rat.action_history_id").
		Joins("JOIN resource_references AS rr ON rr.id = ah.resource_id")
}

// tracesOnly is the base of counts and aggregations that read nothing of the object.
// Leaving out the join changes no result: action_history_id and resource_id are NOT
// NULL foreign keys, so every trace has exactly one history and one object. It makes a
// time-window aggregation an index-only scan instead of a three-table hash join.
func tracesOnly(db *gorm.DB) *gorm.DB {
	return db.Table("resource_action_traces AS rat")
}

// baseFor picks the smallest base that can evaluate f (and, with object set, select
// or group by the object's columns).
func baseFor(f domain.Filter, object bool) scope {
	if object || len(f.Namespaces) > 0 || f.NullNamespace || len(f.TargetKinds) > 0 || len(f.TargetNames) > 0 {
		return joined
	}
	return tracesOnly
}

// anyOf matches column against any of values. column always comes from this package's
// constants, never from input.
func anyOf(column string, values []string) scope {
	return func(db *gorm.DB) *gorm.DB {
		if len(values) == 1 {
			return db.Where(column+" = ?", values[0])
		}
		return db.Where(column+" IN ?", values)
	}
}

// filterScopes turns a domain filter into WHERE clauses, one scope per filter.
func filterScopes(f domain.Filter) []scope {
	var out []scope
	add := func(column string, values []string) {
		if len(values) > 0 {
			out = append(out, anyOf(column, values))
		}
	}
	add("rr.namespace", f.Namespaces)
	add("rat.cluster_name", f.ClusterNames)
	add("rat.environment", f.Environments)
	add("rat.action_type", f.ActionTypes)
	add("rat.alert_severity", f.Severities)
	add("rat.execution_status", f.Statuses)
	add("rat.alert_name", f.Names)
	add("rat.alert_fingerprint", f.AlertFingerprints)
	add("rat.action_id", f.RemediationRequestIDs)
	add("lower(rr.kind)", f.TargetKinds)
	add("rr.name", f.TargetNames)
	if f.NullNamespace {
		out = append(out, func(db *gorm.DB) *gorm.DB { return db.Where("rr.namespace IS NULL") })
	}
	if len(f.Phases) > 0 {
		out = append(out, phaseScope(f.Phases))
	}
	if f.Since != nil {
		since := *f.Since
		out = append(out, func(db *gorm.DB) *gorm.DB { return db.Where("rat.action_timestamp >= ?", since) })
	}
	if f.Until != nil {
		until := *f.Until
		out = append(out, func(db *gorm.DB) *gorm.DB { return db.Where("rat.action_timestamp < ?", until) })
	}
	return out
}

// knownStatuses are the statuses with a phase of their own; every other status, and
// NULL, is pending.
var knownStatuses = []string{domain.StatusCompleted, domain.StatusFailed, domain.StatusRolledBack, domain.StatusExecuting}

// phaseScope filters on the derived phase through the stored status, so the status
// column's indexes stay usable.
func phaseScope(phases []domain.Phase) scope {
	return func(db *gorm.DB) *gorm.DB {
		var statuses []string
		pending := false
		for _, p := range phases {
			if p == domain.PhasePending {
				pending = true
				continue
			}
			statuses = append(statuses, domain.StatusesOfPhase(p)...)
		}
		// One parenthesised expression, so it composes with the other filters' ANDs.
		const unknownOrNull = "rat.execution_status IS NULL OR rat.execution_status NOT IN ?"
		switch {
		case pending && len(statuses) > 0:
			return db.Where("(rat.execution_status IN ? OR "+unknownOrNull+")", statuses, knownStatuses)
		case pending:
			return db.Where("("+unknownOrNull+")", knownStatuses)
		default:
			return db.Where("rat.execution_status IN ?", statuses)
		}
	}
}

// after continues a list strictly after a keyset position in list order. The row
// comparison alone cannot prune partitions; the redundant bound on the partition key
// lets the planner skip every newer month, so a deep page plans and runs over the
// partitions it reads (planning 0.35 ms instead of 0.6 ms at 100k).
func after(c domain.Cursor) scope {
	return func(db *gorm.DB) *gorm.DB {
		return db.Where("rat.action_timestamp <= ? AND (rat.action_timestamp, rat.id) < (?, ?)", c.StartTime, c.StartTime, c.ID)
	}
}

// excluding leaves out the given incidents.
func excluding(ids []int64) scope {
	return func(db *gorm.DB) *gorm.DB { return db.Where("rat.id NOT IN ?", ids) }
}

// notOnObject leaves out the incidents on one object. IS NOT DISTINCT FROM makes a nil
// namespace match exactly the cluster-scoped rows: with "=" NULL would match nothing and
// the object's own incidents would slip through.
func notOnObject(o domain.ObjectRef) scope {
	return func(db *gorm.DB) *gorm.DB {
		return db.Where("NOT (rr.namespace IS NOT DISTINCT FROM ? AND lower(rr.kind) = ? AND rr.name = ?)",
			o.Namespace, o.Kind, o.Name)
	}
}
