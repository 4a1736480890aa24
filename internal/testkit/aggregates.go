package testkit

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// AggregateSpace draws random aggregation queries over a data set, for differential
// tests that compare two implementations of ports.AggregateRepository: windows of whole
// days, of partial days, within one day, across month ends and moving with now, filters
// on values the data holds (and one it does not), and any grouping.
type AggregateSpace struct {
	// Now is the clock's time when the queries are asked; windows reach back Reach.
	Now   time.Time
	Reach time.Duration
	// Values the filters pick from.
	Namespaces, Severities, Statuses, ActionTypes, Environments []string
}

// NewAggregateSpace collects the filter values of events.
func NewAggregateSpace(events []domain.IncidentEvent, now time.Time, reach time.Duration) AggregateSpace {
	s := AggregateSpace{Now: now, Reach: reach}
	add := func(list *[]string, p *string) {
		if p != nil && !slices.Contains(*list, *p) {
			*list = append(*list, *p)
		}
	}
	for i := range events {
		e := &events[i]
		add(&s.Namespaces, e.Namespace)
		add(&s.Severities, &e.Severity)
		add(&s.Statuses, e.Status)
		add(&s.ActionTypes, &e.ActionType)
		add(&s.Environments, e.Environment)
	}
	for _, l := range [][]string{s.Namespaces, s.Severities, s.Statuses, s.ActionTypes, s.Environments} {
		slices.Sort(l)
	}
	return s
}

// dimensions are every grouping dimension.
var dimensions = []domain.Dimension{domain.DimActionType, domain.DimStatus, domain.DimNamespace, domain.DimSeverity,
	domain.DimDay, domain.DimHour, domain.DimName, domain.DimEnvironment, domain.DimCluster}

// Query draws one canonical query (values sorted and deduplicated, times in UTC).
func (s AggregateSpace) Query(r *rand.Rand) domain.AggregateQuery {
	f := s.window(r)
	pick := func(values []string) []string {
		if len(values) == 0 {
			return nil
		}
		out := []string{values[r.IntN(len(values))]}
		if r.IntN(3) == 0 {
			out = append(out, values[r.IntN(len(values))])
		}
		if r.IntN(20) == 0 {
			out = append(out, "no-such-value")
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if r.IntN(2) == 0 {
		switch r.IntN(5) {
		case 0:
			f.Namespaces = pick(s.Namespaces)
		case 1:
			f.Severities = pick(s.Severities)
		case 2:
			f.Statuses = pick(s.Statuses)
		case 3:
			f.ActionTypes = pick(s.ActionTypes)
		case 4:
			f.Environments = pick(s.Environments)
		}
	}
	var by []domain.Dimension
	switch r.IntN(4) {
	case 0: // the use cases' groupings
		by = [][]domain.Dimension{{domain.DimActionType, domain.DimStatus}, {domain.DimNamespace, domain.DimStatus},
			{domain.DimSeverity}, {domain.DimDay}}[r.IntN(4)]
	default:
		for _, i := range r.Perm(len(dimensions))[:r.IntN(4)] {
			by = append(by, dimensions[i])
		}
	}
	return domain.AggregateQuery{Filter: f, GroupBy: by}
}

// window draws the time bounds of a query.
func (s AggregateSpace) window(r *rand.Rand) domain.Filter {
	const day = 24 * time.Hour
	now := s.Now.UTC()
	today := now.Truncate(day)
	reachDays := int(s.Reach / day)
	at := func(t time.Time) *time.Time { t = t.UTC(); return &t }
	anyTime := func() time.Time { return now.Add(-time.Duration(r.Int64N(int64(s.Reach)))).Truncate(time.Second) }
	var f domain.Filter
	switch r.IntN(6) {
	case 0: // whole days, up to now or to an earlier midnight
		since := today.AddDate(0, 0, -1-r.IntN(reachDays))
		f.Since = at(since)
		if r.IntN(2) == 0 {
			f.Until = at(since.AddDate(0, 0, 1+r.IntN(int(today.Sub(since)/day)+1)))
		}
	case 1: // partial days at both ends
		since := anyTime()
		f.Since = at(since)
		if r.IntN(2) == 0 {
			f.Until = at(since.Add(time.Duration(r.Int64N(int64(now.Sub(since) + day)))))
		}
	case 2: // within one day
		since := anyTime()
		next := since.Truncate(day).Add(day)
		f.Since, f.Until = at(since), at(since.Add(time.Duration(r.Int64N(int64(next.Sub(since))))))
	case 3: // across a month's end
		end := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -r.IntN(max(reachDays/31, 1)), 0)
		f.Since = at(end.Add(-time.Duration(r.Int64N(int64(10 * day)))))
		if r.IntN(3) > 0 {
			f.Until = at(end.Add(time.Duration(r.Int64N(int64(10 * day)))))
		}
	case 4: // the last 30 days as callers send them: since = now − 30 days, to the second
		f.Since = at(now.Add(-30*day - time.Duration(r.Int64N(int64(time.Hour)))).Truncate(time.Second))
	case 5: // the trend's window: whole days ending tomorrow
		f.Since, f.Until = at(today.AddDate(0, 0, -r.IntN(reachDays))), at(today.Add(day))
	}
	return f
}

// Groups is an aggregation's answer in a comparable form: counts (Count, DurationSumMs,
// DurationCount) by a rendering of the group key. It fails on a key seen twice.
func Groups(groups []domain.Group) (map[string][3]int64, error) {
	out := make(map[string][3]int64, len(groups))
	for _, g := range groups {
		k := g.Key
		key := strings.Join([]string{k.ActionType, nullable(k.Status), nullable(k.Namespace), k.Severity,
			k.Day.UTC().Format(time.RFC3339), k.Hour.UTC().Format(time.RFC3339), k.Name, nullable(k.Environment), nullable(k.ClusterName)}, "|")
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("group %q twice", key)
		}
		out[key] = [3]int64{g.Count, g.DurationSumMs, g.DurationCount}
	}
	return out, nil
}

func nullable(p *string) string {
	if p == nil {
		return "NULL"
	}
	return "=" + *p
}

// DayParts is one moment's answer to an aggregation split by the UTC day of its
// incidents: for each day (a midnight), the counts by group key as Groups renders them.
type DayParts map[time.Time]map[string][3]int64

// SplitByDay turns the answer to a query grouped by domain.DimDay as well into DayParts;
// keepDay says whether the query itself groups by day (else the day leaves the key).
func SplitByDay(groups []domain.Group, keepDay bool) (DayParts, error) {
	out := DayParts{}
	for _, g := range groups {
		d := g.Key.Day.UTC()
		if !keepDay {
			g.Key.Day = time.Time{}
		}
		one, err := Groups([]domain.Group{g})
		if err != nil {
			return nil, err
		}
		if out[d] == nil {
			out[d] = map[string][3]int64{}
		}
		for k, v := range one {
			if _, dup := out[d][k]; dup {
				return nil, fmt.Errorf("group %q twice on %s", k, d.Format(time.DateOnly))
			}
			out[d][k] = v
		}
	}
	return out, nil
}

// EachDayFrom reports whether answer is what the database held with each UTC day of
// the window taken at one of the moments in states (possibly another moment for each
// day): the sum, over the days, of one state's part of that day. The days whose part
// differs between states are tried in every combination; it fails past a million.
func EachDayFrom(answer map[string][3]int64, states []DayParts) (bool, error) {
	// Counts become vectors over every group key seen, so sums are cheap.
	index := map[string]int{}
	for k := range answer {
		index[k] = len(index)
	}
	days := map[time.Time]bool{}
	for _, s := range states {
		for d, part := range s {
			days[d] = true
			for k := range part {
				if _, ok := index[k]; !ok {
					index[k] = len(index)
				}
			}
		}
	}
	vector := func(counts map[string][3]int64) []int64 {
		v := make([]int64, 3*len(index))
		for k, c := range counts {
			copy(v[3*index[k]:], c[:])
		}
		return v
	}
	want, sum := vector(answer), vector(nil)
	var varying [][][]int64 // per varying day, its distinct parts
	combinations := 1
	for d := range days {
		var options [][]int64
		for _, s := range states {
			part := vector(s[d])
			if !slices.ContainsFunc(options, func(o []int64) bool { return slices.Equal(o, part) }) {
				options = append(options, part)
			}
		}
		if len(options) == 1 {
			add(sum, options[0], 1)
			continue
		}
		varying = append(varying, options)
		if combinations *= len(options); combinations > 1_000_000 {
			return false, fmt.Errorf("%d or more combinations of days to try", combinations)
		}
	}
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(varying) {
			return slices.Equal(sum, want)
		}
		for _, o := range varying[i] {
			add(sum, o, 1)
			ok := try(i + 1)
			add(sum, o, -1)
			if ok {
				return true
			}
		}
		return false
	}
	return try(0), nil
}

func add(sum, part []int64, sign int64) {
	for i, v := range part {
		sum[i] += sign * v
	}
}
