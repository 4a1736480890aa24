package dataset

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// The ids the package documentation promises, step by step in the order of stories.
func TestDemoStoriesAreWhereTheDocumentationSays(t *testing.T) {
	want := []int64{
		281, 282, 285, 288, // 1: checkout-api
		319, 321, 322, // 2: payments-api
		261, 262, 265, // 3: search-api
		17, 18, 19, // 4: data-kafka-2
		223, 224, 225, // 5: worker-07
		346, 347, 349, // 6: worker-03
		343, 345, 351, // 7: pgbouncer
		240, 197, 172, 163, 133, 269, // (c) of 1
		299, 252, 211, 150, 235, // (c) of 2
		192, 143, 279, 99, // (c) of 3
		339, 333, 306, 245, 215, 179, 160, 161, 109, // 8: checkout-api
		123, 87, 21, // 8: checkout-legacy
	}
	all := Demo(testNow)
	assert.Len(t, all, 355)
	var got []int64
	for _, s := range stories {
		for _, st := range s.steps {
			for _, e := range all {
				if e.RemediationRequestID == st.rrid && e.StartTime.Equal(testNow.Add(-st.ago)) {
					got = append(got, e.ID)
				}
			}
		}
	}
	assert.Equal(t, want, got)
}

func TestDemoTellsItsStories(t *testing.T) {
	all := Demo(testNow)
	tests := []struct {
		name        string
		rrid        string
		wantStatus  string
		wantTried   []string // earlier attempts' action types, oldest first
		wantSuggest string   // an action type the recovery context must suggest ("" = none required)
	}{
		{"a: retry under one id, then scale, then memory", StoryCheckoutRestart, domain.StatusFailed,
			[]string{"restart_pod"}, "increase_memory_limit"},
		{"a: bad release", StoryPaymentsRestart, domain.StatusFailed, nil, "rollback_deployment"},
		{"b: no fingerprint", StorySearchScale, domain.StatusFailed, nil, "rollback_deployment"},
		{"b: before migration 008", StoryKafkaVolumeAgain, domain.StatusFailed, []string{"create_persistent_volume"}, ""},
		{"a: node disk", StoryWorker07Cleanup, domain.StatusFailed, []string{"cleanup_disk"}, ""},
		{"d: executing after failures", StoryWorker03Drain, domain.StatusExecuting,
			[]string{"restart_kubelet", "reboot_node"}, ""},
		{"d: pending after failures", StoryPgbouncerPool, domain.StatusPending,
			[]string{"restart_pod", "scale_deployment"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := recoveryContext(all, tt.rrid)
			require.NotNil(t, rc.incident.Embedding)
			assert.Equal(t, tt.wantStatus, deref(rc.incident.Status))
			var tried []string
			for _, p := range slices.Backward(rc.previous) {
				if p.StartTime.Before(rc.incident.StartTime) {
					tried = append(tried, p.ActionType)
					assert.Equal(t, domain.PhaseFailed, p.Phase(), "an earlier attempt succeeded")
				}
			}
			assert.Equal(t, tt.wantTried, tried)
			assert.NotEmpty(t, rc.similar)
			if tt.wantSuggest != "" {
				assert.Contains(t, rc.suggested, tt.wantSuggest)
			}
		})
	}
}

// A fixed alert: failed attempts, then a later different action that worked.
func TestDemoAttemptsEndInAFix(t *testing.T) {
	all := Demo(testNow)
	for _, rrid := range []string{StoryCheckoutRestart, StoryPaymentsRestart, StorySearchScale, StoryKafkaVolume, StoryWorker07Cleanup} {
		rc := recoveryContext(all, rrid)
		group := append(slices.Clone(rc.previous), rc.incident)
		slices.SortFunc(group, func(a, b domain.IncidentEvent) int { return a.StartTime.Compare(b.StartTime) })
		last := group[len(group)-1]
		assert.Equal(t, domain.StatusCompleted, deref(last.Status), rrid)
		for _, e := range group[:len(group)-1] {
			assert.Equal(t, domain.PhaseFailed, e.Phase(), rrid)
			assert.NotEqual(t, last.ActionType, e.ActionType, rrid)
		}
		if rrid == StorySearchScale || rrid == StoryKafkaVolume {
			assert.Nil(t, rc.incident.AlertFingerprint, "story (b) has no fingerprint")
		}
	}
}

func TestDemoObjectHistories(t *testing.T) {
	all := Demo(testNow)
	count := func(name string, from, to time.Duration) int {
		n := 0
		for _, e := range all {
			age := testNow.Sub(e.StartTime)
			if deref(e.Namespace) == "checkout" && e.TargetResource == "Deployment" && e.TargetName == name && age >= from && age < to {
				n++
			}
		}
		return n
	}
	month := 30 * 24 * time.Hour
	assert.GreaterOrEqual(t, count("checkout-api", 0, month), 12, "checkout-api: a rich last month")
	assert.Positive(t, count("checkout-api", month, window), "checkout-api: and some older history")
	assert.Zero(t, count("checkout-legacy", 0, month), "checkout-legacy: nothing in the last 30 days")
	assert.GreaterOrEqual(t, count("checkout-legacy", month, window), 3, "checkout-legacy: older history")
}

// recovery is what the recovery context (docs/api.md §3.5) makes of the demo set, with the
// default parameters: limit 10, threshold 0.7, min_samples 3.
type recovery struct {
	incident  domain.IncidentEvent
	previous  []domain.IncidentEvent // newest first
	similar   []domain.IncidentEvent
	suggested []string
}

func recoveryContext(all []domain.IncidentEvent, rrid string) recovery {
	var rc recovery
	for _, e := range all {
		if e.RemediationRequestID == rrid {
			rc.incident = e // all is in start time order: the last one is the newest
		}
	}
	inc := rc.incident
	sameAlert := func(e domain.IncidentEvent) bool {
		if inc.AlertFingerprint != nil {
			return e.AlertFingerprint != nil && *e.AlertFingerprint == *inc.AlertFingerprint
		}
		return e.Name == inc.Name && deref(e.Namespace) == deref(inc.Namespace) &&
			e.TargetResource == inc.TargetResource && e.TargetName == inc.TargetName
	}
	type scored struct {
		e   domain.IncidentEvent
		sim float64
	}
	var near []scored
	for _, e := range slices.Backward(all) {
		switch {
		case e.ID == inc.ID:
		case sameAlert(e):
			if len(rc.previous) < 20 {
				rc.previous = append(rc.previous, e)
			}
		case e.Embedding != nil && inc.Embedding != nil:
			if s := cosine(inc.Embedding, e.Embedding); s >= 0.7 {
				near = append(near, scored{e, s})
			}
		}
	}
	slices.SortStableFunc(near, func(a, b scored) int { return cmp.Compare(b.sim, a.sim) })
	for _, s := range near[:min(10, len(near))] {
		rc.similar = append(rc.similar, s.e)
	}
	failedHere := map[string]bool{}
	for _, e := range append(slices.Clone(rc.previous), inc) {
		if e.Outcome() == domain.OutcomeFailure {
			failedHere[e.ActionType] = true
		}
	}
	type tally struct{ ok, failed int }
	outcomes := map[string]*tally{}
	for _, e := range append(slices.Clone(rc.similar), rc.previous...) {
		t := outcomes[e.ActionType]
		if t == nil {
			t = &tally{}
			outcomes[e.ActionType] = t
		}
		switch e.Outcome() {
		case domain.OutcomeSuccess:
			t.ok++
		case domain.OutcomeFailure:
			t.failed++
		}
	}
	for action, t := range outcomes {
		if !failedHere[action] && t.ok+t.failed >= 3 && t.ok*2 > t.ok+t.failed {
			rc.suggested = append(rc.suggested, action)
		}
	}
	slices.Sort(rc.suggested)
	return rc
}
