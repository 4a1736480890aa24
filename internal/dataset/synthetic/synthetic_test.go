package synthetic

import (
	"encoding/json"
	"iter"
	"math"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// testNow is a Wednesday afternoon (UTC) with sub-microsecond digits, so truncation and
// the recent in-flight rows are both exercised.
var testNow = time.Date(2026, 3, 18, 14, 3, 27, 123456789, time.UTC)

func collect(s *Set) []domain.IncidentEvent {
	out := make([]domain.IncidentEvent, 0, s.Len())
	for e := range s.All() {
		out = append(out, e)
	}
	return out
}

// tenK is the 10k-row set most tests inspect, generated once.
var tenK = sync.OnceValue(func() []domain.IncidentEvent { return collect(Generate(10_000, 42, testNow)) })

func TestGenerateIsDeterministic(t *testing.T) {
	s := Generate(3000, 7, testNow)
	first := collect(s)
	require.Len(t, first, 3000)
	assert.Equal(t, first, collect(s), "a second pass over the same set")
	assert.Equal(t, first, collect(Generate(3000, 7, testNow)), "a second set with the same rows, seed and now")

	other := collect(Generate(3000, 8, testNow))
	same := 0
	for i := range first {
		if first[i].RemediationRequestID == other[i].RemediationRequestID ||
			(first[i].Embedding != nil && slices.Equal(first[i].Embedding, other[i].Embedding)) {
			same++
		}
	}
	assert.Zero(t, same, "another seed shares no request id or embedding")
}

// TestAllPassesMayInterleave runs two passes side by side, as a loader reading its source
// twice might.
func TestAllPassesMayInterleave(t *testing.T) {
	s := Generate(500, 3, testNow)
	want := collect(s)
	nextA, stopA := iter.Pull(s.All())
	defer stopA()
	nextB, stopB := iter.Pull(s.All())
	defer stopB()
	for i := range want {
		a, okA := nextA()
		b, okB := nextB()
		require.True(t, okA && okB)
		require.Equal(t, want[i], a)
		require.Equal(t, want[i], b)
	}
	_, ok := nextA()
	assert.False(t, ok)
}

func TestLen(t *testing.T) {
	tests := []struct {
		name string
		rows int
		want int
	}{
		{"negative is empty", -5, 0},
		{"empty", 0, 0},
		{"one", 1, 1},
		{"a few", 37, 37},
		{"more than the object minimum", 2500, 2500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Generate(tt.rows, 1, testNow)
			assert.Equal(t, tt.want, s.Len())
			assert.Len(t, collect(s), tt.want)
		})
	}
}

func TestAllStopsWhenAsked(t *testing.T) {
	n := 0
	for range Generate(1000, 1, testNow).All() {
		n++
		if n == 5 {
			break
		}
	}
	assert.Equal(t, 5, n)
}

func TestIDsAndTimes(t *testing.T) {
	events := tenK()
	now := testNow.Truncate(time.Microsecond)
	oldest := now.Add(-90 * 24 * time.Hour)
	for i, e := range events {
		require.Equal(t, int64(i+1), e.ID)
		if i > 0 {
			require.False(t, e.StartTime.Before(events[i-1].StartTime), "id %d starts before id %d", e.ID, e.ID-1)
		}
		require.True(t, !e.StartTime.Before(oldest) && e.StartTime.Before(now), "id %d starts at %s", e.ID, e.StartTime)
		for name, ts := range map[string]*time.Time{"start": &e.StartTime, "end": e.EndTime, "created": e.CreatedAt, "updated": e.UpdatedAt} {
			if ts == nil {
				continue
			}
			require.Equal(t, time.UTC, ts.Location(), "%s of id %d", name, e.ID)
			require.Equal(t, ts.Truncate(time.Microsecond), *ts, "%s of id %d", name, e.ID)
			require.True(t, ts.Before(now), "%s of id %d is not in the past", name, e.ID)
			require.False(t, ts.Before(e.StartTime), "%s of id %d is before its start", name, e.ID)
		}
		if e.EndTime != nil {
			require.NotNil(t, e.DurationMs)
			assert.Equal(t, time.Duration(*e.DurationMs)*time.Millisecond, e.EndTime.Sub(e.StartTime))
		}
	}
	// More recent activity: the last 30 days hold clearly more than a third.
	recent := 0
	for _, e := range events {
		if e.StartTime.After(now.Add(-30 * 24 * time.Hour)) {
			recent++
		}
	}
	assert.Greater(t, float64(recent)/float64(len(events)), 0.40)
}

func TestValueDomains(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	hex := regexp.MustCompile(`^[0-9a-f]{16}$`)
	statuses, severities, envs := map[string]int{}, map[string]int{}, map[string]int{}
	envOf := map[string]string{}
	for _, e := range tenK() {
		assert.LessOrEqual(t, len(e.Name), 200)
		assert.LessOrEqual(t, len(e.ActionType), 50)
		assert.LessOrEqual(t, len(e.TargetResource), 100)
		assert.LessOrEqual(t, len(e.TargetName), 253)
		assert.NotEmpty(t, e.TargetName)
		assert.Regexp(t, uuid, e.RemediationRequestID)
		if e.Namespace != nil {
			assert.LessOrEqual(t, len(*e.Namespace), 63)
		}
		assert.Equal(t, e.TargetResource == "Node", e.Namespace == nil, "only nodes are cluster-scoped (id %d)", e.ID)
		if e.AlertFingerprint != nil {
			assert.Regexp(t, hex, *e.AlertFingerprint)
		}
		if e.ClusterName != nil {
			assert.LessOrEqual(t, len(*e.ClusterName), 100)
			require.NotNil(t, e.Environment)
			if prev, ok := envOf[*e.ClusterName]; ok {
				assert.Equal(t, prev, *e.Environment, "environment of cluster %s", *e.ClusterName)
			}
			envOf[*e.ClusterName] = *e.Environment
			envs[*e.Environment]++
		} else {
			assert.Nil(t, e.Environment)
		}
		severities[e.Severity]++
		status := "NULL"
		if e.Status != nil {
			status = *e.Status
		}
		statuses[status]++
		failed := status == domain.StatusFailed || status == domain.StatusRolledBack
		if e.ErrorMessage != nil {
			assert.True(t, failed, "error message on a %s row (id %d)", status, e.ID)
		}
		inFlight := status == domain.StatusPending || status == domain.StatusExecuting
		assert.Equal(t, inFlight, e.EndTime == nil, "end time of a %s row (id %d)", status, e.ID)
		assert.Equal(t, inFlight, e.DurationMs == nil, "duration of a %s row (id %d)", status, e.ID)
		if inFlight {
			assert.WithinDuration(t, testNow, e.StartTime, 6*time.Hour, "in flight but old (id %d)", e.ID)
		}
		if e.Metadata != nil {
			var m map[string]any
			require.NoError(t, json.Unmarshal(e.Metadata, &m), "metadata of id %d: %s", e.ID, e.Metadata)
			assert.NotEmpty(t, m["description"])
		}
	}
	for _, s := range domain.Statuses {
		assert.Positive(t, statuses[s], "status %s", s)
	}
	for _, s := range []string{critical, warning, info} {
		assert.Positive(t, severities[s], "severity %s", s)
	}
	assert.Len(t, severities, 3)
	for _, env := range domain.Environments {
		assert.Positive(t, envs[string(env)], "environment %s", env)
	}
	assert.Len(t, envs, 4)
	assert.Greater(t, envs["production"], envs["staging"])
	assert.Greater(t, envs["staging"], envs["development"])
	assert.Greater(t, envs["development"], envs["test"])
	assert.Len(t, envOf, len(clusters))
}

func TestShareOfStatuses(t *testing.T) {
	statuses := map[string]int{}
	events := tenK()
	for _, e := range events {
		if e.Status != nil {
			statuses[*e.Status]++
		}
	}
	share := func(s string) float64 { return float64(statuses[s]) / float64(len(events)) }
	assert.InDelta(t, 0.85, share(domain.StatusCompleted), 0.06)
	assert.InDelta(t, 0.125, share(domain.StatusFailed), 0.03)
	assert.InDelta(t, 0.025, share(domain.StatusRolledBack), 0.015)
	assert.Less(t, share(domain.StatusPending)+share(domain.StatusExecuting), 0.01)
}

func TestNullsWhereTheSchemaAllowsThem(t *testing.T) {
	events := tenK()
	nulls := map[string]int{}
	count := func(field string, isNull bool) {
		if isNull {
			nulls[field]++
		}
	}
	for _, e := range events {
		count("alert_fingerprint", e.AlertFingerprint == nil)
		count("namespace", e.Namespace == nil)
		count("cluster_name", e.ClusterName == nil)
		count("environment", e.Environment == nil)
		count("status", e.Status == nil)
		count("end_time", e.EndTime == nil)
		count("duration", e.DurationMs == nil)
		count("error_message", e.ErrorMessage == nil)
		count("metadata", e.Metadata == nil)
		count("created_at", e.CreatedAt == nil)
		count("updated_at", e.UpdatedAt == nil)
		count("embedding", e.Embedding == nil)
	}
	tests := []struct {
		field    string
		min, max float64 // share of rows
	}{
		{"alert_fingerprint", 0.035, 0.07},
		{"namespace", 0.05, 0.3},
		{"cluster_name", 0.02, 0.04},
		{"environment", 0.02, 0.04},
		{"status", 0.0001, 0.003},
		{"end_time", 0.0001, 0.01},
		{"duration", 0.0001, 0.01},
		{"error_message", 0.8, 0.92},
		{"metadata", 0.08, 0.12},
		{"created_at", 0.002, 0.02},
		{"updated_at", 0.002, 0.02},
		{"embedding", 0.01, 0.03},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			share := float64(nulls[tt.field]) / float64(len(events))
			assert.GreaterOrEqual(t, share, tt.min)
			assert.LessOrEqual(t, share, tt.max)
		})
	}
	// NULL cluster and environment are the oldest rows, written before migration 008.
	for _, e := range events[len(events)/20:] {
		require.NotNil(t, e.ClusterName, "id %d", e.ID)
	}
}

func TestEmbeddingsAreUnitVectors(t *testing.T) {
	for _, e := range tenK() {
		if e.Embedding == nil {
			continue
		}
		require.Len(t, e.Embedding, domain.EmbeddingDimensions)
		var sum float64
		for _, x := range e.Embedding {
			sum += float64(x) * float64(x)
		}
		// A NaN or infinite component makes the norm NaN or infinite, failing this too.
		require.InDelta(t, 1, math.Sqrt(sum), 1e-4, "id %d", e.ID)
	}
}
