package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

const (
	paramDays       = "days"
	defaultTrendDay = 30
	maxTrendDays    = 365
	day             = 24 * time.Hour
)

// SuccessRate returns the success rate overall and per action type (docs/api.md §3.4).
func (s *Service) SuccessRate(ctx context.Context, p Params) (domain.SuccessRate, domain.Validity, error) {
	f, err := onlyFilter(p)
	if err != nil {
		return domain.SuccessRate{}, domain.Validity{}, err
	}
	var v domain.Validity
	groups, err := s.aggregate(ctx, &v, f, domain.DimActionType, domain.DimStatus)
	if err != nil {
		return domain.SuccessRate{}, domain.Validity{}, fmt.Errorf("app: success rate: %w", err)
	}
	return successRates(groups), v, nil
}

// Namespaces returns incident counts per namespace, largest first, then by name, the
// cluster-scoped (nil) group ordered as the empty name.
func (s *Service) Namespaces(ctx context.Context, p Params) ([]domain.NamespaceCount, domain.Validity, error) {
	f, err := onlyFilter(p)
	if err != nil {
		return nil, domain.Validity{}, err
	}
	var v domain.Validity
	groups, err := s.aggregate(ctx, &v, f, domain.DimNamespace, domain.DimStatus)
	if err != nil {
		return nil, domain.Validity{}, fmt.Errorf("app: namespaces: %w", err)
	}
	byName := map[string]*domain.NamespaceCount{}
	var clusterScoped *domain.NamespaceCount
	out := []*domain.NamespaceCount{}
	for _, g := range groups {
		var nc *domain.NamespaceCount
		if g.Key.Namespace == nil {
			if clusterScoped == nil {
				clusterScoped = &domain.NamespaceCount{}
				out = append(out, clusterScoped)
			}
			nc = clusterScoped
		} else if nc = byName[*g.Key.Namespace]; nc == nil {
			name := *g.Key.Namespace
			nc = &domain.NamespaceCount{Namespace: &name}
			byName[name] = nc
			out = append(out, nc)
		}
		var t tally
		t.add(g)
		nc.Count += t.total
		nc.Succeeded += t.succeeded
		nc.Failed += t.failed
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return nameOf(out[i].Namespace) < nameOf(out[j].Namespace)
	})
	res := make([]domain.NamespaceCount, len(out))
	for i, nc := range out {
		res[i] = *nc
	}
	return res, v, nil
}

// Severity returns incident counts per severity, ordered by severity name.
func (s *Service) Severity(ctx context.Context, p Params) ([]domain.SeverityCount, domain.Validity, error) {
	f, err := onlyFilter(p)
	if err != nil {
		return nil, domain.Validity{}, err
	}
	var v domain.Validity
	groups, err := s.aggregate(ctx, &v, f, domain.DimSeverity)
	if err != nil {
		return nil, domain.Validity{}, fmt.Errorf("app: severity: %w", err)
	}
	out := make([]domain.SeverityCount, 0, len(groups))
	for _, g := range groups {
		out = append(out, domain.SeverityCount{Severity: g.Key.Severity, Count: g.Count})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Severity < out[j].Severity })
	return out, v, nil
}

// Trend returns incidents per UTC day for the last `days` days ending today, oldest
// first, with zero days included (docs/api.md §3.4).
func (s *Service) Trend(ctx context.Context, p Params) (TrendResult, domain.Validity, error) {
	r := newParamReader(p, filterParams, []string{paramDays})
	r.rejectUnknown()
	f := r.filter()
	days := r.intIn(paramDays, defaultTrendDay, 1, maxTrendDays)
	if err := r.errs.Err(); err != nil {
		return TrendResult{}, domain.Validity{}, err
	}
	now := s.now().UTC()
	today := now.Truncate(day)
	first := today.Add(-time.Duration(days-1) * day)
	end := today.Add(day)
	var v domain.Validity
	v.ExpireWithin(end.Sub(now)) // tomorrow the window moves
	res := TrendResult{Days: days, Points: make([]domain.TrendPoint, days)}
	for i := range res.Points {
		res.Points[i].Day = first.Add(time.Duration(i) * day)
	}
	// The window narrows the caller's since/until; an empty intersection needs no query.
	if f.Since == nil || f.Since.Before(first) {
		f.Since = &first
	}
	if f.Until == nil || f.Until.After(end) {
		f.Until = &end
	}
	if !f.Since.Before(*f.Until) {
		return res, v, nil
	}
	groups, err := s.aggregate(ctx, &v, f, domain.DimDay)
	if err != nil {
		return TrendResult{}, domain.Validity{}, fmt.Errorf("app: trend: %w", err)
	}
	for _, g := range groups {
		i := int(g.Key.Day.Sub(first) / day)
		if i >= 0 && i < days {
			res.Points[i].Count += g.Count
		}
	}
	return res, v, nil
}

// aggregate counts the incidents matching f per group, noting the read in v.
func (s *Service) aggregate(ctx context.Context, v *domain.Validity, f domain.Filter, dims ...domain.Dimension) ([]domain.Group, error) {
	groups, read, err := s.aggregates.Aggregate(ctx, domain.AggregateQuery{Filter: f, GroupBy: dims})
	v.Add(read)
	return groups, err
}

// onlyFilter reads a request that takes the filters of docs/api.md §3.1 and nothing else.
func onlyFilter(p Params) (domain.Filter, error) {
	r := newParamReader(p, filterParams)
	r.rejectUnknown()
	f := r.filter()
	return f, r.errs.Err()
}

func nameOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
