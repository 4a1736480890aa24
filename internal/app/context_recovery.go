package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/contextapi/contextapi/internal/domain"
)

// Recovery context limits of docs/api.md §3.5.
const (
	paramMinSamples   = "min_samples"
	defaultMinSamples = 3
	maxMinSamples     = 1000
	// maxPreviousAttempts bounds previous_attempts.
	maxPreviousAttempts = 20
	// maxAlertTraces bounds how many of an alert's traces are read to exclude them from
	// the similar incidents and to learn which actions already failed. More than 20 are
	// read because an alert retried 25 times must not see its own older attempts come
	// back as "similar"; beyond 200 an alert is stuck in a loop, and its newest 200
	// traces say all there is to say.
	maxAlertTraces = 200

	fieldRemediationRequestID = "remediation_request_id"
)

var recoveryParams = []string{paramLimit, paramThreshold, paramMinSamples}

// RecoveryContext returns what is known about the remediation request rrid (docs/api.md
// §3.5), or an error wrapping domain.ErrNotFound when no trace carries that id.
func (s *Service) RecoveryContext(ctx context.Context, rrid string, p Params) (RecoveryContext, domain.Validity, error) {
	r := newParamReader(p, recoveryParams)
	r.pathValue(fieldRemediationRequestID, rrid)
	r.rejectUnknown()
	limit := r.intIn(paramLimit, defaultSearchLimit, 1, maxSearchLimit)
	threshold := r.floatIn(paramThreshold, defaultSearchThreshold, 0, 1)
	minSamples := r.intIn(paramMinSamples, defaultMinSamples, 1, maxMinSamples)
	if err := r.errs.Err(); err != nil {
		return RecoveryContext{}, domain.Validity{}, err
	}

	var v domain.Validity
	incident, err := s.newestTrace(ctx, &v, rrid)
	if err != nil {
		return RecoveryContext{}, domain.Validity{}, fmt.Errorf("app: recovery context: %w", err)
	}
	traces, err := s.alertTraces(ctx, &v, incident)
	if err != nil {
		return RecoveryContext{}, domain.Validity{}, fmt.Errorf("app: recovery context: %w", err)
	}
	similar := []domain.ScoredIncident{}
	if usableEmbedding(incident.Embedding) {
		// The alert's own traces are excluded inside the search, before its limit, so
		// they cannot crowd out the incidents worth seeing.
		exclude := make([]int64, 0, len(traces)+1)
		exclude = append(exclude, incident.ID)
		for _, t := range traces {
			exclude = append(exclude, t.ID)
		}
		slices.Sort(exclude)
		found, read, err := s.incidents.Search(ctx, domain.SemanticQuery{
			Embedding: incident.Embedding, Limit: limit, Threshold: threshold, ExcludeIDs: slices.Compact(exclude),
		})
		if err != nil {
			return RecoveryContext{}, domain.Validity{}, fmt.Errorf("app: recovery context: %w", err)
		}
		v.Add(read)
		similar = nonNil(found)
	}
	incident.Embedding = nil // asked for the search only; docs/api.md §3.5 returns none

	previous := traces[:min(len(traces), maxPreviousAttempts)]
	considered := make([]domain.IncidentEvent, 0, len(previous)+len(similar))
	considered = append(considered, previous...)
	for _, f := range similar {
		considered = append(considered, f.Incident)
	}
	outcomes := successRates(groupsOf(considered)).ByActionType
	return RecoveryContext{
		Incident:         incident,
		PreviousAttempts: previous,
		SimilarIncidents: similar,
		ActionOutcomes:   outcomes,
		SuggestedActions: suggest(outcomes, failedActions(incident, traces), int64(minSamples)),
		Limit:            limit,
	}, v, nil
}

// newestTrace returns the newest trace of a remediation request, with its embedding,
// noting the read in v.
func (s *Service) newestTrace(ctx context.Context, v *domain.Validity, rrid string) (domain.IncidentEvent, error) {
	page, read, err := s.incidents.List(ctx, domain.ListQuery{
		Filter: domain.Filter{RemediationRequestIDs: []string{rrid}}, Limit: 1, IncludeEmbedding: true,
	})
	if err != nil {
		return domain.IncidentEvent{}, err
	}
	v.Add(read)
	if len(page.Incidents) == 0 {
		return domain.IncidentEvent{}, fmt.Errorf("remediation request %q: %w", rrid, domain.ErrNotFound)
	}
	return page.Incidents[0], nil
}

// alertTraces returns the other traces of e's alert, newest first, at most
// maxAlertTraces of them, noting the read in v.
func (s *Service) alertTraces(ctx context.Context, v *domain.Validity, e domain.IncidentEvent) ([]domain.IncidentEvent, error) {
	page, read, err := s.incidents.List(ctx, domain.ListQuery{Filter: sameAlert(e), Limit: maxAlertTraces + 1})
	if err != nil {
		return nil, err
	}
	v.Add(read)
	out := make([]domain.IncidentEvent, 0, len(page.Incidents))
	for _, t := range page.Incidents {
		if t.ID != e.ID {
			out = append(out, t)
		}
	}
	return out[:min(len(out), maxAlertTraces)], nil
}

// sameAlert selects the traces of e's alert: the same fingerprint, or, for an alert
// that came without one, the same alert name on the same object. A cluster-scoped
// object's NULL namespace matches NULL only.
func sameAlert(e domain.IncidentEvent) domain.Filter {
	if e.AlertFingerprint != nil {
		return domain.Filter{AlertFingerprints: []string{*e.AlertFingerprint}}
	}
	f := domain.Filter{
		Names:       []string{e.Name},
		TargetKinds: []string{strings.ToLower(e.TargetResource)},
		TargetNames: []string{e.TargetName},
	}
	if e.Namespace == nil {
		f.NullNamespace = true
	} else {
		f.Namespaces = []string{*e.Namespace}
	}
	return f
}

// groupsOf turns incidents into one-incident groups by action type and status, so the
// success-rate rules of the aggregations apply to them unchanged.
func groupsOf(incidents []domain.IncidentEvent) []domain.Group {
	out := make([]domain.Group, 0, len(incidents))
	for _, e := range incidents {
		g := domain.Group{Key: domain.GroupKey{ActionType: e.ActionType, Status: e.Status}, Count: 1}
		if e.DurationMs != nil {
			g.DurationSumMs, g.DurationCount = *e.DurationMs, 1
		}
		out = append(out, g)
	}
	return out
}

// failedActions lists the action types that failed (failed or rolled-back) on the
// incident or any of its alert's traces: trying them again is not a suggestion.
func failedActions(incident domain.IncidentEvent, traces []domain.IncidentEvent) map[string]bool {
	failed := map[string]bool{}
	for _, e := range append([]domain.IncidentEvent{incident}, traces...) {
		if e.Outcome() == domain.OutcomeFailure {
			failed[e.ActionType] = true
		}
	}
	return failed
}

// suggest ranks the action types with at least minSamples finished incidents that have
// not failed for the alert: highest success rate first, then more samples, then name.
func suggest(outcomes []domain.ActionTypeRate, failed map[string]bool, minSamples int64) []SuggestedAction {
	out := []SuggestedAction{}
	for _, o := range outcomes {
		samples := o.Succeeded + o.Failed
		if failed[o.ActionType] || samples < minSamples || o.Rate == nil {
			continue
		}
		out = append(out, SuggestedAction{ActionType: o.ActionType, Rate: *o.Rate, Samples: samples})
	}
	slices.SortFunc(out, func(a, b SuggestedAction) int {
		if c := cmp.Compare(b.Rate, a.Rate); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Samples, a.Samples); c != 0 {
			return c
		}
		return cmp.Compare(a.ActionType, b.ActionType)
	})
	return out
}

// pathValue checks a string path parameter like a filter value.
func (r *paramReader) pathValue(field, v string) {
	if v == "" {
		r.errs.Add(field, "must not be empty")
		return
	}
	if reason := checkValue(v); reason != "" {
		r.errs.Add(field, reason)
	}
}
