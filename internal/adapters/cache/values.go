package cache

import (
	"github.com/contextapi/contextapi/internal/domain"
)

// Costs approximate the bytes a value holds, so MaxCost is a memory budget. The fixed
// part covers the struct, pointers and map overhead of one incident.
const (
	incidentOverhead = 512
	entryOverhead    = 256
)

func incidentCost(e domain.IncidentEvent) int64 {
	n := incidentOverhead + len(e.Name) + len(e.RemediationRequestID) + len(e.TargetResource) +
		len(e.TargetName) + len(e.Severity) + len(e.ActionType) + len(e.Metadata) + 4*len(e.Embedding)
	for _, s := range []*string{e.AlertFingerprint, e.Namespace, e.ClusterName, e.Environment, e.Status, e.ErrorMessage} {
		if s != nil {
			n += len(*s)
		}
	}
	return int64(n)
}

func pageCost(p domain.IncidentPage) int64 {
	n := int64(entryOverhead)
	for _, e := range p.Incidents {
		n += incidentCost(e)
	}
	return n
}

func scoredCost(found []domain.ScoredIncident) int64 {
	n := int64(entryOverhead)
	for _, f := range found {
		n += incidentCost(f.Incident) + 8
	}
	return n
}

func groupsCost(groups []domain.Group) int64 {
	n := int64(entryOverhead)
	for _, g := range groups {
		n += 200
		for _, s := range []*string{g.Key.Status, g.Key.Namespace, g.Key.Environment, g.Key.ClusterName} {
			if s != nil {
				n += int64(len(*s))
			}
		}
		n += int64(len(g.Key.ActionType) + len(g.Key.Severity) + len(g.Key.Name))
	}
	return n
}

// Cached values are shared by every reader: copies go in and out, so no caller can
// change what another one reads.

func clonePage(p domain.IncidentPage) domain.IncidentPage {
	out := p
	out.Incidents = cloneIncidents(p.Incidents)
	if p.Next != nil {
		next := *p.Next
		out.Next = &next
	}
	return out
}

func cloneIncidents(in []domain.IncidentEvent) []domain.IncidentEvent {
	if in == nil {
		return nil
	}
	out := make([]domain.IncidentEvent, len(in))
	for i, e := range in {
		out[i] = e.Clone()
	}
	return out
}

func cloneScored(in []domain.ScoredIncident) []domain.ScoredIncident {
	if in == nil {
		return nil
	}
	out := make([]domain.ScoredIncident, len(in))
	for i, f := range in {
		out[i] = domain.ScoredIncident{Incident: f.Incident.Clone(), Similarity: f.Similarity}
	}
	return out
}

func cloneGroups(in []domain.Group) []domain.Group {
	if in == nil {
		return nil
	}
	out := make([]domain.Group, len(in))
	for i, g := range in {
		out[i] = g
		out[i].Key.Status = cloneString(g.Key.Status)
		out[i].Key.Namespace = cloneString(g.Key.Namespace)
		out[i].Key.Environment = cloneString(g.Key.Environment)
		out[i].Key.ClusterName = cloneString(g.Key.ClusterName)
	}
	return out
}

func cloneIncident(e domain.IncidentEvent) domain.IncidentEvent { return e.Clone() }

func cloneString(s *string) *string {
	if s == nil {
		return nil
	}
	v := *s
	return &v
}
