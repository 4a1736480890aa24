package app

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// Historical context parameters of docs/api.md §3.7, in the camelCase upstream's client sends.
const (
	paramTargetType        = "targetType"
	paramTargetName        = "targetName"
	paramTimeRange         = "timeRange"
	paramSignalType        = "signalType"
	paramIncludeEmbeddings = "includeEmbeddings"

	defaultTimeRange = "30d"
	maxTimeRange     = 365 * day

	// historicalSimilarLimit is docs/api.md §3.7's "ten nearest incidents".
	historicalSimilarLimit = 10
	// historicalSimilarThreshold keeps the similar incidents related: in the demo data
	// (as with sentence embeddings generally) incidents of the same kind of trouble are
	// 0.6–1 similar and unrelated ones below 0.3, so 0.5 admits other alerts of the same
	// family (OOMKilled for HighMemoryUsage) and nothing unrelated. It also keeps every
	// similarity_score within the 0–1 the consumer expects.
	historicalSimilarThreshold = 0.5
	// latestScan bounds how many of the object's newest incidents are read to find the
	// newest with an embedding; an object whose 20 newest incidents have none gets no
	// similar incidents rather than an unbounded read.
	latestScan = 20
)

var historicalParams = []string{
	paramNamespace, paramTargetType, paramTargetName, paramTimeRange, paramSignalType, paramIncludeEmbeddings,
}

// historicalGroupBy are the dimensions the whole historical context is computed from,
// in one aggregation: rates per action type and the facts of environment_patterns.
var historicalGroupBy = []domain.Dimension{
	domain.DimActionType, domain.DimStatus, domain.DimName, domain.DimEnvironment, domain.DimCluster,
}

// HistoricalContext returns the history of one Kubernetes object over a time range
// (docs/api.md §3.7), or an error wrapping domain.ErrNotFound when the object has no
// incident in the range.
func (s *Service) HistoricalContext(ctx context.Context, p Params) (HistoricalContext, domain.Validity, error) {
	r := newParamReader(p, historicalParams)
	r.rejectUnknown()
	obj := domain.ObjectRef{}
	// An empty namespace asks about a cluster-scoped object (a Node): namespace is
	// required, and Kubernetes has no namespace named "", so nothing else is meant.
	if ns, ok := r.required(paramNamespace); ok && ns != "" {
		obj.Namespace = &ns
	}
	if kind, ok := r.required(paramTargetType); ok {
		obj.Kind = strings.ToLower(kind)
		r.nonEmpty(paramTargetType, kind)
	}
	if name, ok := r.required(paramTargetName); ok {
		obj.Name = name
		r.nonEmpty(paramTargetName, name)
	}
	window, label := r.timeRange()
	if v, ok := r.single(paramSignalType); ok {
		// Accepted for upstream's client; the Data Storage schema records no signal type.
		if reason := checkValue(v); reason != "" {
			r.errs.Add(paramSignalType, reason)
		}
	}
	withSimilar := r.boolean(paramIncludeEmbeddings, true)
	if err := r.errs.Err(); err != nil {
		return HistoricalContext{}, domain.Validity{}, err
	}

	// The window starts on a whole minute, so the same question asked again within the
	// minute is the same query and can be answered from the cache.
	now := s.now().UTC()
	since := now.Add(-window).Truncate(time.Minute)
	// The window moves on once now - window reaches the next whole minute.
	var v domain.Validity
	v.ExpireWithin(since.Add(time.Minute + window).Sub(now))
	f := objectFilter(obj)
	f.Since = &since
	groups, read, err := s.aggregates.Aggregate(ctx, domain.AggregateQuery{Filter: f, GroupBy: historicalGroupBy})
	if err != nil {
		return HistoricalContext{}, domain.Validity{}, fmt.Errorf("app: historical context: %w", err)
	}
	v.Add(read)
	if len(groups) == 0 {
		return HistoricalContext{}, domain.Validity{}, fmt.Errorf("app: historical context: no incident on %s/%s in the last %s: %w",
			obj.Kind, obj.Name, label, domain.ErrNotFound)
	}
	res := HistoricalContext{
		SuccessRates:     historicalRates(groups),
		SimilarIncidents: []HistoricalIncident{},
		Patterns:         patterns(groups, label),
	}
	if withSimilar {
		if res.SimilarIncidents, err = s.nearOtherObjects(ctx, &v, f, obj); err != nil {
			return HistoricalContext{}, domain.Validity{}, fmt.Errorf("app: historical context: %w", err)
		}
	}
	return res, v, nil
}

// nearOtherObjects returns the incidents on other objects nearest to the newest
// incident matching f that has an embedding; none when no such incident exists. Its
// reads are noted in v.
func (s *Service) nearOtherObjects(ctx context.Context, v *domain.Validity, f domain.Filter, obj domain.ObjectRef) ([]HistoricalIncident, error) {
	page, read, err := s.incidents.List(ctx, domain.ListQuery{Filter: f, Limit: latestScan, IncludeEmbedding: true})
	if err != nil {
		return nil, err
	}
	v.Add(read)
	i := slices.IndexFunc(page.Incidents, func(e domain.IncidentEvent) bool { return usableEmbedding(e.Embedding) })
	if i < 0 {
		return []HistoricalIncident{}, nil
	}
	found, read, err := s.incidents.Search(ctx, domain.SemanticQuery{
		Embedding: page.Incidents[i].Embedding, Limit: historicalSimilarLimit,
		Threshold: historicalSimilarThreshold, ExcludeObject: &obj,
	})
	if err != nil {
		return nil, err
	}
	v.Add(read)
	out := make([]HistoricalIncident, 0, len(found))
	for _, h := range found {
		out = append(out, HistoricalIncident{
			ID: h.Incident.ID, ActionType: h.Incident.ActionType, Outcome: outcomeOf(h.Incident),
			Similarity: math.Max(0, math.Min(1, h.Similarity)), StartTime: h.Incident.StartTime,
		})
	}
	return out, nil
}

// objectFilter selects the incidents on one object.
func objectFilter(o domain.ObjectRef) domain.Filter {
	f := domain.Filter{TargetKinds: []string{o.Kind}, TargetNames: []string{o.Name}}
	if o.Namespace == nil {
		f.NullNamespace = true
	} else {
		f.Namespaces = []string{*o.Namespace}
	}
	return f
}

// historicalRates folds the groups into rates per action type, in the order of the
// success-rate aggregation (largest total first, then name).
func historicalRates(groups []domain.Group) []HistoricalRate {
	byAction := successRates(groups).ByActionType
	out := make([]HistoricalRate, 0, len(byAction))
	for _, a := range byAction {
		h := HistoricalRate{ActionType: a.ActionType, TotalAttempts: a.Total}
		if a.Rate != nil {
			h.Percent = math.Round(*a.Rate*1000) / 10
		}
		if a.AvgDurationMs != nil {
			secs := math.Round(*a.AvgDurationMs) / 1000
			h.AvgDurationSeconds = &secs
		}
		out = append(out, h)
	}
	return out
}

// required returns the one value of name, reporting it when absent or unacceptable.
func (r *paramReader) required(name string) (string, bool) {
	if _, ok := r.params[name]; !ok {
		r.errs.Add(name, "is required")
		return "", false
	}
	v, ok := r.single(name)
	if !ok {
		return "", false
	}
	if reason := checkValue(v); reason != "" {
		r.errs.Add(name, reason)
		return "", false
	}
	return v, true
}

// nonEmpty reports an empty value of a required parameter.
func (r *paramReader) nonEmpty(name, v string) {
	if v == "" {
		r.errs.Add(name, "must not be empty")
	}
}

// boolean reads true or false, or returns def when absent.
func (r *paramReader) boolean(name string, def bool) bool {
	s, ok := r.single(name)
	if !ok {
		return def
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	r.errs.Add(name, "must be true or false")
	return def
}

// timeRange reads timeRange, Nd or Nh (default 30d, at most 365d), as a duration and
// as words for the environment patterns.
func (r *paramReader) timeRange() (time.Duration, string) {
	s, ok := r.single(paramTimeRange)
	if !ok {
		s = defaultTimeRange
	}
	if len(s) >= 2 && len(s) <= 6 && strings.Trim(s[:len(s)-1], "0123456789") == "" {
		n, err := strconv.Atoi(s[:len(s)-1])
		unit, words := time.Duration(0), ""
		switch s[len(s)-1] {
		case 'd':
			unit, words = day, "day"
		case 'h':
			unit, words = time.Hour, "hour"
		}
		if err == nil && unit != 0 && n >= 1 && time.Duration(n)*unit <= maxTimeRange {
			if n == 1 {
				return unit, words
			}
			return time.Duration(n) * unit, strconv.Itoa(n) + " " + words + "s"
		}
	}
	r.errs.Add(paramTimeRange, "must be a number of days or hours such as 30d or 12h, at most 365d")
	return 0, ""
}
