package testkit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/testkit"
)

func TestByDayAddsTheDayOnce(t *testing.T) {
	by := []domain.Dimension{domain.DimSeverity}
	split, keep := testkit.ByDay(domain.AggregateQuery{GroupBy: by})
	assert.False(t, keep)
	assert.Equal(t, []domain.Dimension{domain.DimSeverity, domain.DimDay}, split.GroupBy)
	assert.Equal(t, []domain.Dimension{domain.DimSeverity}, by, "the query's grouping is left alone")

	split, keep = testkit.ByDay(domain.AggregateQuery{GroupBy: []domain.Dimension{domain.DimDay, domain.DimStatus}})
	assert.True(t, keep)
	assert.Equal(t, []domain.Dimension{domain.DimDay, domain.DimStatus}, split.GroupBy)
}

// Three states of two days, 4 minutes apart, asked 2 minutes after the last: with a TTL
// of 5 minutes the last two are within it, each day from either.
func TestDayHistoryAcceptsEachDayFromAStateWithinTheTTL(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	d1, d2 := t0.Add(-48*time.Hour).Truncate(24*time.Hour), t0.Add(-24*time.Hour).Truncate(24*time.Hour)
	state := func(a, b int64) []testkit.DayParts {
		return []testkit.DayParts{{d1: {"k": {a, 0, 0}}, d2: {"k": {b, 0, 0}}}}
	}
	answer := func(n int64) map[string][3]int64 { return map[string][3]int64{"k": {n, 0, 0}} }
	for _, tc := range []struct {
		name                    string
		ttl                     time.Duration
		answer                  int64
		wantErr                 bool
		wantCurrent, wantLagged int
	}{
		{name: "the newest state", ttl: 5 * time.Minute, answer: 34, wantCurrent: 1},
		{name: "one day from the state before", ttl: 5 * time.Minute, answer: 32, wantLagged: 1},
		{name: "the state in force a TTL ago", ttl: 5 * time.Minute, answer: 12, wantLagged: 1},
		{name: "a day from a state ended before the TTL", ttl: 5 * time.Minute, answer: 11, wantErr: true, wantLagged: 1},
		{name: "no TTL: only the newest state", ttl: 0, answer: 12, wantErr: true, wantLagged: 1},
		{name: "a long TTL reaches the first state", ttl: time.Hour, answer: 11, wantLagged: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := testkit.NewDayHistory(tc.ttl)
			h.Record(t0, state(1, 10))
			h.Record(t0.Add(4*time.Minute), state(2, 10))
			h.Record(t0.Add(8*time.Minute), state(4, 30))
			err := h.Check(0, answer(tc.answer), t0.Add(10*time.Minute))
			if tc.wantErr {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tc.wantCurrent, h.Current())
			assert.Equal(t, tc.wantLagged, h.Lagged())
			assert.Equal(t, 3, h.Len())
		})
	}
}

func TestDayHistoryWithoutStatesFails(t *testing.T) {
	require.Error(t, testkit.NewDayHistory(time.Minute).Check(0, nil, time.Now()))
}
