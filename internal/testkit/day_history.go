package testkit

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
)

// ByDay is q grouped by domain.DimDay as well, so that its answer splits into UTC days
// (SplitByDay); keepDay says whether q itself groups by day.
func ByDay(q domain.AggregateQuery) (split domain.AggregateQuery, keepDay bool) {
	keepDay = slices.Contains(q.GroupBy, domain.DimDay)
	if !keepDay {
		q.GroupBy = append(slices.Clip(q.GroupBy), domain.DimDay)
	}
	return q, keepDay
}

// DayHistory is the states a repository went through while a test wrote to it, each a
// set of queries' answers split by UTC day, from the moment it began. Check holds an
// answer read through a cache with day partials to lagging the repository by no more
// than the TTL: each day of the answer as the repository held it at some moment within
// the TTL before the answer (days may come from different moments).
type DayHistory struct {
	ttl             time.Duration
	states          []dayState
	current, lagged int
}

// dayState is every query's answer split by day, from a moment on.
type dayState struct {
	from  time.Time
	parts []DayParts
}

// NewDayHistory returns an empty history of a repository read through a cache with
// entries living ttl.
func NewDayHistory(ttl time.Duration) *DayHistory {
	return &DayHistory{ttl: ttl}
}

// Record adds the state that began at from: parts[i] is query i's answer split by day
// (ByDay, SplitByDay). States are recorded in the order they began.
func (h *DayHistory) Record(from time.Time, parts []DayParts) {
	h.states = append(h.states, dayState{from: from, parts: parts})
}

// Check returns an error unless answer, query i's answer at now (as Groups renders it),
// holds each UTC day as some state in force within the TTL before now held it. An
// answer that is the newest state's counts as current; one that needs older states, as
// lagged.
func (h *DayHistory) Check(i int, answer map[string][3]int64, now time.Time) error {
	if len(h.states) == 0 {
		return errors.New("no state recorded")
	}
	var within []DayParts // the states of the last TTL, newest first
	for j := len(h.states) - 1; j >= 0; j-- {
		within = append(within, h.states[j].parts[i])
		if !h.states[j].from.After(now.Add(-h.ttl)) {
			break // the state in force a TTL ago: older ones ended before
		}
	}
	ok, err := EachDayFrom(answer, within[:1])
	if err != nil {
		return err
	}
	if ok {
		h.current++
		return nil
	}
	h.lagged++
	ok, err = EachDayFrom(answer, within)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("a day older than the TTL (%d states within it)", len(within))
	}
	return nil
}

// Len is the number of states recorded.
func (h *DayHistory) Len() int { return len(h.states) }

// Current is the number of answers Check found to be the newest state's.
func (h *DayHistory) Current() int { return h.current }

// Lagged is the number of answers Check did not find to be the newest state's.
func (h *DayHistory) Lagged() int { return h.lagged }
