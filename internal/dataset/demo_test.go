package dataset

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestDemoIsDeterministic(t *testing.T) {
	a, b := Demo(testNow), Demo(testNow)
	require.Equal(t, a, b)
	ja, err := json.Marshal(a)
	require.NoError(t, err)
	jb, err := json.Marshal(b)
	require.NoError(t, err)
	assert.Equal(t, ja, jb, "byte for byte")
}

func TestDemoOtherNowShiftsTimesOnly(t *testing.T) {
	shift := 36*time.Hour + 17*time.Minute + 123*time.Microsecond
	a, b := Demo(testNow), Demo(testNow.Add(shift))
	require.Len(t, b, len(a))
	for i := range a {
		x, y := a[i].Clone(), b[i].Clone()
		assert.Equal(t, shift, y.StartTime.Sub(x.StartTime))
		for _, p := range [][2]*time.Time{{x.EndTime, y.EndTime}, {x.CreatedAt, y.CreatedAt}, {x.UpdatedAt, y.UpdatedAt}} {
			require.Equal(t, p[0] == nil, p[1] == nil)
			if p[0] != nil {
				assert.Equal(t, shift, p[1].Sub(*p[0]))
			}
		}
		x.StartTime, x.EndTime, x.CreatedAt, x.UpdatedAt = time.Time{}, nil, nil, nil
		y.StartTime, y.EndTime, y.CreatedAt, y.UpdatedAt = time.Time{}, nil, nil, nil
		assert.Equal(t, x, y)
	}
}

func TestDemoNormalisesNow(t *testing.T) {
	// The same instant as testNow in another zone, with nanoseconds PostgreSQL would drop.
	now := time.Date(2026, 11, 27, 13, 0, 0, 999, time.FixedZone("CET", 3600))
	assert.Equal(t, Demo(testNow), Demo(now))
}

func TestDemoSize(t *testing.T) {
	n := len(Demo(testNow))
	assert.GreaterOrEqual(t, n, 300)
	assert.LessOrEqual(t, n, 400)
}

func TestDemoCoversVocabularies(t *testing.T) {
	all := Demo(testNow)
	seen := func(f func(domain.IncidentEvent) string) []string {
		var out []string
		for _, e := range all {
			if v := f(e); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	tests := []struct {
		name string
		want []string
		got  func(domain.IncidentEvent) string
	}{
		{"severity", []string{"critical", "warning", "info"}, func(e domain.IncidentEvent) string { return e.Severity }},
		{"status", domain.Statuses, func(e domain.IncidentEvent) string { return deref(e.Status) }},
		{"environment", []string{"production", "staging", "development", "test"}, func(e domain.IncidentEvent) string { return deref(e.Environment) }},
		{"phase", []string{"pending", "processing", "completed", "failed"}, func(e domain.IncidentEvent) string { return string(e.Phase()) }},
		{"namespace", DemoNamespaces, func(e domain.IncidentEvent) string { return deref(e.Namespace) }},
		{"cluster", DemoClusters, func(e domain.IncidentEvent) string { return deref(e.ClusterName) }},
		{"alert", DemoAlertNames, func(e domain.IncidentEvent) string { return e.Name }},
		{"action type", DemoActionTypes, func(e domain.IncidentEvent) string { return e.ActionType }},
		{"kind", DemoTargetKinds, func(e domain.IncidentEvent) string { return e.TargetResource }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ElementsMatch(t, tt.want, seen(tt.got))
		})
	}
}

func TestDemoHasNullsWhereTheSchemaAllows(t *testing.T) {
	all := Demo(testNow)
	tests := []struct {
		name   string
		isNull func(domain.IncidentEvent) bool
	}{
		{"alert_fingerprint", func(e domain.IncidentEvent) bool { return e.AlertFingerprint == nil }},
		{"namespace", func(e domain.IncidentEvent) bool { return e.Namespace == nil }},
		{"cluster_name", func(e domain.IncidentEvent) bool { return e.ClusterName == nil }},
		{"environment", func(e domain.IncidentEvent) bool { return e.Environment == nil }},
		{"status", func(e domain.IncidentEvent) bool { return e.Status == nil }},
		{"end_time", func(e domain.IncidentEvent) bool { return e.EndTime == nil }},
		{"duration", func(e domain.IncidentEvent) bool { return e.DurationMs == nil }},
		{"error_message", func(e domain.IncidentEvent) bool { return e.ErrorMessage == nil }},
		{"metadata", func(e domain.IncidentEvent) bool { return e.Metadata == nil }},
		{"created_at", func(e domain.IncidentEvent) bool { return e.CreatedAt == nil }},
		{"updated_at", func(e domain.IncidentEvent) bool { return e.UpdatedAt == nil }},
		{"embedding", func(e domain.IncidentEvent) bool { return e.Embedding == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nulls := 0
			for _, e := range all {
				if tt.isNull(e) {
					nulls++
				}
			}
			assert.Positive(t, nulls, "some NULL")
			assert.Less(t, nulls, len(all), "some set")
		})
	}
}

func TestDemoTimes(t *testing.T) {
	all := Demo(testNow)
	for i, e := range all {
		assert.Equal(t, int64(i+1), e.ID, "ids 1..N")
		if i > 0 {
			assert.False(t, e.StartTime.Before(all[i-1].StartTime), "id %d starts before id %d", e.ID, e.ID-1)
		}
		assert.True(t, e.StartTime.Before(testNow), "id %d starts at or after now", e.ID)
		assert.True(t, e.StartTime.After(testNow.Add(-window)), "id %d starts 90 days ago or earlier", e.ID)
		for _, ts := range []*time.Time{&e.StartTime, e.EndTime, e.CreatedAt, e.UpdatedAt} {
			if ts == nil {
				continue
			}
			assert.Equal(t, time.UTC, ts.Location(), "id %d", e.ID)
			assert.Zero(t, ts.Nanosecond()%1000, "id %d: not truncated to microseconds", e.ID)
			assert.False(t, ts.Before(e.StartTime), "id %d: a time before the start", e.ID)
			assert.True(t, ts.Before(testNow), "id %d: a time after now", e.ID)
		}
		if e.UpdatedAt != nil && e.CreatedAt != nil {
			assert.False(t, e.UpdatedAt.Before(*e.CreatedAt), "id %d: updated before created", e.ID)
		}
	}
}

func TestDemoOutcomesAreConsistent(t *testing.T) {
	all := Demo(testNow)
	consistent := 0
	for _, e := range all {
		status := deref(e.Status)
		inFlight := status == domain.StatusPending || status == domain.StatusExecuting
		assert.Equal(t, inFlight, e.EndTime == nil, "id %d: end time iff finished", e.ID)
		assert.Equal(t, e.EndTime == nil, e.DurationMs == nil, "id %d: duration iff end time", e.ID)
		if inFlight {
			assert.Less(t, testNow.Sub(e.StartTime), 3*time.Hour, "id %d: in flight for hours", e.ID)
		}
		if e.ErrorMessage != nil {
			assert.Equal(t, domain.PhaseFailed, e.Phase(), "id %d: an error on a %s row", e.ID, status)
		}
		if e.DurationMs != nil {
			assert.Positive(t, *e.DurationMs, "id %d", e.ID)
			assert.LessOrEqual(t, *e.DurationMs, e.EndTime.Sub(e.StartTime).Milliseconds(), "id %d", e.ID)
			if *e.DurationMs == e.EndTime.Sub(e.StartTime).Milliseconds() {
				consistent++
			}
		}
	}
	assert.Greater(t, consistent, len(all)*8/10, "durations usually agree with end − start")
}

var (
	uuidPattern        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	fingerprintPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

func TestDemoValuesFitTheSchema(t *testing.T) {
	for _, e := range Demo(testNow) {
		fits := func(column, v string, width int) {
			assert.True(t, utf8.ValidString(v) && v != "", "id %d: %s %q", e.ID, column, v)
			assert.LessOrEqual(t, utf8.RuneCountInString(v), width, "id %d: %s %q", e.ID, column, v)
		}
		fits("alert_name", e.Name, 200)
		fits("alert_severity", e.Severity, 20)
		fits("action_type", e.ActionType, 50)
		fits("action_id", e.RemediationRequestID, 64)
		fits("kind", e.TargetResource, 100)
		fits("name", e.TargetName, 253)
		assert.Contains(t, []string{"critical", "warning", "info"}, e.Severity)
		assert.Regexp(t, uuidPattern, e.RemediationRequestID)
		assert.Equal(t, e.TargetResource == "Node", e.Namespace == nil, "id %d: only nodes lack a namespace", e.ID)
		if e.Namespace != nil {
			fits("namespace", *e.Namespace, 63)
		}
		if e.ClusterName != nil {
			fits("cluster_name", *e.ClusterName, 100)
		}
		if e.AlertFingerprint != nil {
			assert.Regexp(t, fingerprintPattern, *e.AlertFingerprint)
		}
		if e.Environment != nil {
			assert.True(t, domain.Environment(*e.Environment).Valid(), "id %d: environment %q", e.ID, *e.Environment)
		}
		assert.Equal(t, e.ClusterName == nil, e.Environment == nil, "id %d: cluster and environment come together", e.ID)
		if e.Status != nil {
			fits("execution_status", *e.Status, 20)
			assert.Contains(t, domain.Statuses, *e.Status)
		}
		if e.Metadata != nil {
			var m map[string]any
			require.NoError(t, json.Unmarshal(e.Metadata, &m), "id %d: metadata is a JSON object", e.ID)
			assert.NotEmpty(t, m["description"], "id %d", e.ID)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
