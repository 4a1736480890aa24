package cache

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports/porttest"
)

func TestSharedEntriesRoundTripExactly(t *testing.T) {
	events := porttest.Fixture(porttest.FixtureNow)
	empty, zero := "", int64(0)
	odd := events[0].Clone()
	odd.Status, odd.DurationMs = &empty, &zero // pointers to zero values stay apart from nil
	odd.Metadata = json.RawMessage(`{"a": 1,  "b": [1, 2]}`)
	odd.Embedding = []float32{0.1, -0.25, 1e-7}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		give      any
		roundTrip func(*entry) (*entry, error)
	}{
		{"incident", odd, func(e *entry) (*entry, error) { return trip[domain.IncidentEvent](e, incidentCost) }},
		{"page", domain.IncidentPage{Incidents: []domain.IncidentEvent{odd, events[1]}, Total: 2, Next: &domain.Cursor{StartTime: now, ID: 9}},
			func(e *entry) (*entry, error) { return trip[domain.IncidentPage](e, pageCost) }},
		{"empty page", domain.IncidentPage{Incidents: []domain.IncidentEvent{}},
			func(e *entry) (*entry, error) { return trip[domain.IncidentPage](e, pageCost) }},
		{"search hits", []domain.ScoredIncident{{Incident: odd, Similarity: 0.93}},
			func(e *entry) (*entry, error) { return trip[[]domain.ScoredIncident](e, scoredCost) }},
		{"groups", []domain.Group{{Key: domain.GroupKey{ActionType: "scale", Status: &empty}, Count: 3}},
			func(e *entry) (*entry, error) { return trip[[]domain.Group](e, groupsCost) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &entry{value: tt.give, version: "k@p.1", asOf: now, freshUntil: now.Add(time.Minute), staleUntil: now.Add(time.Hour)}
			got, err := tt.roundTrip(e)
			require.NoError(t, err)
			assert.Equal(t, e, got, "the same value, version and deadlines; metadata byte for byte")
			assert.Equal(t, tt.give, e.value, "the stored value is untouched")
		})
	}
}

func trip[T any](e *entry, cost func(T) int64) (*entry, error) {
	b, err := encodeEntry[T](e)
	if err != nil {
		return nil, err
	}
	got, _, err := decodeEntry(b, cost)
	return got, err
}

func TestRememberedAnswersRoundTrip(t *testing.T) {
	until := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := encodeAnswer([]string{"a@p.1", "b@q.2"}, until, []byte("body"))
	require.NoError(t, err)
	h, answer, err := decodeAnswer(b)
	require.NoError(t, err)
	assert.Equal(t, sharedAnswer{Versions: []string{"a@p.1", "b@q.2"}, Until: until}, h)
	assert.Equal(t, []byte("body"), answer)
	for _, bad := range [][]byte{nil, b[:2], {0xff, 0xff}, append([]byte{2}, "{x"...)} {
		_, _, err := decodeAnswer(bad)
		assert.Error(t, err, "%q", bad)
	}
}
