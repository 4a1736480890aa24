package porttest

import (
	"encoding/json"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func TestFixtureIsDeterministic(t *testing.T) {
	assert.Equal(t, Fixture(FixtureNow), Fixture(FixtureNow))
	assert.Equal(t, FamilyVector(FamilyCPU), FamilyVector(FamilyCPU))
	assert.Nil(t, FamilyVector(familyCount))
}

func TestFixtureTruncatesNowToMicroseconds(t *testing.T) {
	now := time.Date(2026, time.June, 15, 14, 34, 56, 123456789, time.FixedZone("CEST", 2*3600))
	assert.Equal(t, Fixture(FixtureNow), Fixture(now))
}

// TestFixtureFitsTheSchema checks what PostgreSQL would refuse (docs/schema.md §12), so a
// loader never fails on the fixture.
func TestFixtureFitsTheSchema(t *testing.T) {
	events := Fixture(FixtureNow)
	require.Len(t, events, 25)
	seen := map[string]bool{}
	for i, e := range events {
		assert.EqualValues(t, i+1, e.ID, "ids are 1..25 in order")
		key := e.RemediationRequestID + "@" + e.StartTime.String()
		assert.False(t, seen[key], "UNIQUE (action_id, action_timestamp): %s", key)
		seen[key] = true

		for _, tm := range []*time.Time{&e.StartTime, e.EndTime, e.CreatedAt, e.UpdatedAt} {
			if tm != nil {
				assert.Equal(t, time.UTC, tm.Location(), "incident %d", e.ID)
				assert.Zero(t, tm.Nanosecond()%1000, "incident %d: microsecond precision", e.ID)
			}
		}
		for _, f := range []struct {
			value *string
			max   int
		}{
			{&e.Name, 200}, {e.AlertFingerprint, 64}, {&e.RemediationRequestID, 64}, {e.Namespace, 63},
			{e.ClusterName, 100}, {e.Environment, 20}, {&e.TargetResource, 100}, {&e.TargetName, 253},
			{e.Status, 20}, {&e.Severity, 20}, {&e.ActionType, 50},
		} {
			if f.value != nil {
				assert.NotEmpty(t, *f.value, "incident %d: empty strings would read as NULL", e.ID)
				assert.LessOrEqual(t, utf8.RuneCountInString(*f.value), f.max, "incident %d: %q", e.ID, *f.value)
			}
		}
		if e.Environment != nil {
			assert.True(t, domain.Environment(*e.Environment).Valid(), "incident %d: check_environment_valid", e.ID)
		}
		if e.DurationMs != nil {
			assert.LessOrEqual(t, *e.DurationMs, int64(math.MaxInt32), "incident %d: INTEGER column", e.ID)
		}
		if e.Metadata != nil {
			var obj map[string]any
			assert.NoError(t, json.Unmarshal(e.Metadata, &obj), "incident %d: metadata is a JSON object", e.ID)
		}
		if e.Embedding != nil {
			assert.Len(t, e.Embedding, domain.EmbeddingDimensions, "incident %d", e.ID)
		}
	}
}

func TestFixtureSimilarities(t *testing.T) {
	events := Fixture(FixtureNow)
	familyOf := map[int64]Family{}
	for f, members := range families {
		for _, id := range members {
			familyOf[id] = f
		}
	}
	for _, a := range events {
		if a.Embedding == nil || a.ID == 24 {
			continue
		}
		for _, b := range events {
			if b.Embedding == nil || b.ID == 24 {
				continue
			}
			sim := cosine(a.Embedding, b.Embedding)
			if familyOf[a.ID] == familyOf[b.ID] {
				assert.Greater(t, sim, 0.93, "%d and %d are of one family", a.ID, b.ID)
			} else {
				assert.InDelta(t, 0.193, sim, 0.008, "%d and %d are of different families", a.ID, b.ID)
			}
		}
	}
	assert.InDelta(t, 1, cosine(events[10].Embedding, events[11].Embedding), 1e-12, "11 and 12 point the same way")
	assert.NotEqual(t, events[10].Embedding, events[11].Embedding, "with different magnitudes")
	assert.InDelta(t, 0.99602, cosine(FamilyVector(FamilyMemory), events[0].Embedding), 1e-5)
	assert.InDelta(t, 0.19317, cosine(FamilyVector(FamilyCPU), events[4].Embedding), 1e-5)
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}
