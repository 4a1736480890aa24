package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// Aggregate counts the incidents matching q.Filter per combination of the q.GroupBy
// values. Groups come out in the list order of their newest incident.
func (r *Repository) Aggregate(ctx context.Context, q domain.AggregateQuery) ([]domain.Group, domain.Read, error) {
	if err := ctx.Err(); err != nil {
		return nil, domain.Read{}, fmt.Errorf("memory: aggregate incidents: %w", err)
	}
	by := dimensions{}
	for _, d := range q.GroupBy {
		switch d {
		case domain.DimActionType:
			by.actionType = true
		case domain.DimStatus:
			by.status = true
		case domain.DimNamespace:
			by.namespace = true
		case domain.DimSeverity:
			by.severity = true
		case domain.DimDay:
			by.day = true
		case domain.DimHour:
			by.hour = true
		case domain.DimName:
			by.name = true
		case domain.DimEnvironment:
			by.environment = true
		case domain.DimCluster:
			by.cluster = true
		default:
			return nil, domain.Read{}, fmt.Errorf("memory: aggregate incidents: %w",
				&domain.FieldError{Field: "group_by", Reason: fmt.Sprintf("unknown dimension %q", d)})
		}
	}
	groups := []domain.Group{}
	index := map[groupID]int{}
	for i := range r.events {
		e := &r.events[i]
		if !matches(e, &q.Filter) {
			continue
		}
		id, key := by.of(e)
		g, ok := index[id]
		if !ok {
			g = len(groups)
			index[id] = g
			groups = append(groups, domain.Group{Key: key})
		}
		groups[g].Count++
		if e.DurationMs != nil {
			groups[g].DurationSumMs += *e.DurationMs
			groups[g].DurationCount++
		}
	}
	return groups, domain.Read{}, nil
}

// dimensions says which properties form a group.
type dimensions struct {
	actionType, status, namespace, severity, day, hour, name, environment, cluster bool
}

// groupID is a comparable form of domain.GroupKey (which holds pointers) for map lookups.
type groupID struct {
	actionType      string
	status          string
	statusNull      bool
	namespace       string
	namespaceNull   bool
	severity        string
	dayUnixSeconds  int64
	hourUnixSeconds int64
	name            string
	environment     nullable
	cluster         nullable
}

// nullable is a comparable form of a nullable string.
type nullable struct {
	value string
	null  bool
}

// keyOf returns v as a map key and as a fresh pointer for a domain key.
func keyOf(v *string) (nullable, *string) {
	if v == nil {
		return nullable{null: true}, nil
	}
	s := *v
	return nullable{value: s}, &s
}

// of returns the group e belongs to, as a map key and as the domain key callers see.
func (by dimensions) of(e *domain.IncidentEvent) (groupID, domain.GroupKey) {
	var id groupID
	var key domain.GroupKey
	if by.actionType {
		id.actionType, key.ActionType = e.ActionType, e.ActionType
	}
	if by.status {
		if e.Status == nil {
			id.statusNull = true
		} else {
			id.status = *e.Status
			s := *e.Status
			key.Status = &s
		}
	}
	if by.namespace {
		if e.Namespace == nil {
			id.namespaceNull = true
		} else {
			id.namespace = *e.Namespace
			n := *e.Namespace
			key.Namespace = &n
		}
	}
	if by.severity {
		id.severity, key.Severity = e.Severity, e.Severity
	}
	if by.day {
		t := e.StartTime.UTC()
		key.Day = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		id.dayUnixSeconds = key.Day.Unix()
	}
	if by.hour {
		key.Hour = e.StartTime.UTC().Truncate(time.Hour)
		id.hourUnixSeconds = key.Hour.Unix()
	}
	if by.name {
		id.name, key.Name = e.Name, e.Name
	}
	if by.environment {
		id.environment, key.Environment = keyOf(e.Environment)
	}
	if by.cluster {
		id.cluster, key.ClusterName = keyOf(e.ClusterName)
	}
	return id, key
}
