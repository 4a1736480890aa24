package app

import (
	"sort"

	"github.com/contextapi/contextapi/internal/domain"
)

// tally accumulates outcomes and durations of groups of incidents.
type tally struct {
	total, succeeded, failed, inProgress int64
	durationSum, durationCount           int64
}

func (t *tally) add(g domain.Group) {
	t.total += g.Count
	t.durationSum += g.DurationSumMs
	t.durationCount += g.DurationCount
	if g.Key.Status == nil {
		return
	}
	switch domain.OutcomeOf(*g.Key.Status) {
	case domain.OutcomeSuccess:
		t.succeeded += g.Count
	case domain.OutcomeFailure:
		t.failed += g.Count
	case domain.OutcomeInProgress:
		t.inProgress += g.Count
	}
}

// rate is succeeded / finished, nil when nothing has finished.
func (t *tally) rate() *float64 { return domain.RateOf(t.succeeded, t.failed) }

func (t *tally) avgDuration() *float64 {
	if t.durationCount == 0 {
		return nil
	}
	avg := float64(t.durationSum) / float64(t.durationCount)
	return &avg
}

// successRates folds (action type, status) groups into the success-rate breakdown;
// action types are ordered by total descending, then name.
func successRates(groups []domain.Group) domain.SuccessRate {
	var all tally
	byAction := map[string]*tally{}
	for _, g := range groups {
		all.add(g)
		t := byAction[g.Key.ActionType]
		if t == nil {
			t = &tally{}
			byAction[g.Key.ActionType] = t
		}
		t.add(g)
	}
	out := domain.SuccessRate{
		Total: all.total, Succeeded: all.succeeded, Failed: all.failed, InProgress: all.inProgress,
		Rate: all.rate(), ByActionType: make([]domain.ActionTypeRate, 0, len(byAction)),
	}
	for name, t := range byAction {
		out.ByActionType = append(out.ByActionType, domain.ActionTypeRate{
			ActionType: name, Total: t.total, Succeeded: t.succeeded, Failed: t.failed,
			InProgress: t.inProgress, Rate: t.rate(), AvgDurationMs: t.avgDuration(),
		})
	}
	sort.Slice(out.ByActionType, func(i, j int) bool {
		a, b := out.ByActionType[i], out.ByActionType[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.ActionType < b.ActionType
	})
	return out
}
