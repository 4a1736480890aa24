package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/contextapi/contextapi/internal/domain"
)

func (s *suite) testFilter(t *testing.T) {
	const (
		h   = time.Hour
		day = 24 * time.Hour
	)
	seedWith := func(f domain.Filter) domain.Filter {
		w := seedWindow()
		f.Since, f.Until = w.Since, w.Until
		return f
	}
	leapDayNext := time.Date(2024, time.March, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		filter domain.Filter
		want   []int64 // in list order
	}{
		{"no filter", domain.Filter{}, listOrder},

		{"namespace", domain.Filter{Namespaces: []string{"production"}}, []int64{15, 14, 5, 3, 4, 2, 1, 11, 12, 13, 18, 17, 25, 24, 21}},
		{"any of two namespaces", domain.Filter{Namespaces: []string{"monitoring", "staging"}}, []int64{6, 7, 9, 19}},
		{"unicode namespace", domain.Filter{Namespaces: []string{"命名空间"}}, []int64{23}},
		{"empty namespace never matches NULL", domain.Filter{Namespaces: []string{""}}, []int64{}},
		{"cluster", domain.Filter{ClusterNames: []string{"prod-us-west-2"}}, []int64{5, 4, 17, 25}},
		{"environment skips NULL", domain.Filter{Environments: []string{"production"}}, []int64{22, 15, 14, 5, 3, 4, 2, 1, 10, 9, 11, 12, 13, 18, 17, 25, 24, 21}},
		{"environment test", domain.Filter{Environments: []string{"test"}}, []int64{20}},
		{"any of two environments", domain.Filter{Environments: []string{"development", "staging"}}, []int64{6, 7, 8, 19, 23}},
		{"action type", domain.Filter{ActionTypes: []string{"rollback_deployment"}}, []int64{4, 17, 25}},
		{"any of two action types", domain.Filter{ActionTypes: []string{"cordon_drain_node", "create_persistent_volume"}}, []int64{15, 14, 16}},
		{"severity", domain.Filter{Severities: []string{"info"}}, []int64{8, 20}},
		{"status", domain.Filter{Statuses: []string{"failed"}}, []int64{5, 4, 25, 20}},
		{"unconventional statuses", domain.Filter{Statuses: []string{"cancelled", "rolled-back"}}, []int64{18, 17}},
		{"status is exact, NULL matches nothing", domain.Filter{Statuses: []string{"pending"}}, []int64{22, 15}},
		{"name", domain.Filter{Names: []string{"HighMemoryUsage"}}, []int64{1, 13, 21}},
		{"name is case sensitive", domain.Filter{Names: []string{"highmemoryusage"}}, []int64{}},
		{"unicode name", domain.Filter{Names: []string{"HighMemory-🚀"}}, []int64{23}},
		{"alert fingerprint", domain.Filter{AlertFingerprints: []string{"fp-004"}}, []int64{4, 17, 25}},
		{"any of two fingerprints", domain.Filter{AlertFingerprints: []string{"fp-003", "fp-015"}}, []int64{15, 3, 18}},
		{"remediation request", domain.Filter{RemediationRequestIDs: []string{"test-rr-017"}}, []int64{17, 25}},
		{"target kind", domain.Filter{TargetKinds: []string{"deployment"}}, []int64{4, 1, 6, 11, 12, 13, 17, 25, 19, 21}},
		{"any of two target kinds", domain.Filter{TargetKinds: []string{"node", "persistentvolumeclaim"}}, []int64{15, 14, 3, 16, 18}},
		{"target name", domain.Filter{TargetNames: []string{"webapp"}}, []int64{1, 11, 12, 13, 21}},
		{"any of two target names", domain.Filter{TargetNames: []string{"api-service", "worker-01"}}, []int64{3, 4, 18, 17, 25}},

		{"phase pending covers NULL and unknown statuses", domain.Filter{Phases: []domain.Phase{domain.PhasePending}}, []int64{22, 15, 16, 18}},
		{"phase processing", domain.Filter{Phases: []domain.Phase{domain.PhaseProcessing}}, []int64{14, 24}},
		{"phase completed", domain.Filter{Phases: []domain.Phase{domain.PhaseCompleted}}, []int64{3, 2, 1, 6, 7, 8, 10, 9, 11, 12, 13, 19, 23, 21}},
		{"phase failed covers rolled-back", domain.Filter{Phases: []domain.Phase{domain.PhaseFailed}}, []int64{5, 4, 17, 25, 20}},
		{"any of two phases", domain.Filter{Phases: []domain.Phase{domain.PhaseFailed, domain.PhaseProcessing}}, []int64{14, 5, 4, 17, 25, 20, 24}},
		// Pending's "NULL or unknown status" must stay grouped when ANDed with other filters.
		{"pending or failed in one namespace", domain.Filter{Namespaces: []string{"production"}, Phases: []domain.Phase{domain.PhasePending, domain.PhaseFailed}}, []int64{15, 5, 4, 18, 17, 25}},

		{"since is inclusive", domain.Filter{Since: ago(1 * h)}, []int64{22, 15, 14, 5, 3, 4, 2}},
		{"until is exclusive", domain.Filter{Until: ago(3 * day)}, []int64{16, 18, 17, 25, 20, 19, 23, 24, 21}},
		{"since and until", domain.Filter{Since: ago(3 * day), Until: ago(1 * day)}, []int64{12, 13}},
		{"since equal to until", domain.Filter{Since: ago(45 * time.Minute), Until: ago(45 * time.Minute)}, []int64{}},
		{"since a microsecond after a row", domain.Filter{Since: at(-45*time.Minute + time.Microsecond), Until: ago(20 * time.Minute)}, []int64{3}},
		{"until a microsecond after a row", domain.Filter{Since: ago(45 * time.Minute), Until: at(-45*time.Minute + time.Microsecond)}, []int64{4}},
		{"the upstream seed window", seedWindow(), seedOrder},
		{"the last 24 hours include the row exactly a day old", domain.Filter{Since: ago(1 * day), Until: at(0)}, []int64{15, 14, 5, 3, 4, 2, 1, 6, 7, 8, 10, 9, 11}},
		{"the last microsecond of a leap day", domain.Filter{Since: &leapDayEnd, Until: &leapDayNext}, []int64{21}},
		{"the day after a leap day", domain.Filter{Since: &leapDayNext, Until: ago(20 * day)}, []int64{}},
		{"the future", domain.Filter{Since: at(0)}, []int64{22}},

		{"upstream production critical", seedWith(domain.Filter{Namespaces: []string{"production"}, Severities: []string{"critical"}}), []int64{14, 5, 4, 2, 1, 13}},
		{"namespace, severity and phase", domain.Filter{Namespaces: []string{"production"}, Severities: []string{"critical"}, Phases: []domain.Phase{domain.PhaseFailed}}, []int64{5, 4, 17, 25}},
		{"kind, name and time", domain.Filter{TargetKinds: []string{"deployment"}, TargetNames: []string{"webapp"}, Since: ago(2 * day)}, []int64{1, 11, 12}},
		{"cluster, environment and status", domain.Filter{ClusterNames: []string{"prod-us-east-1"}, Environments: []string{"production"}, Statuses: []string{"executing"}}, []int64{14, 24}},
		{"filters that exclude each other", domain.Filter{Namespaces: []string{"staging"}, Severities: []string{"critical"}}, []int64{}},

		{"unknown value", domain.Filter{Namespaces: []string{"nope"}}, []int64{}},
		{"quote injection", domain.Filter{Namespaces: []string{"default' OR '1'='1"}}, []int64{}},
		{"statement injection", domain.Filter{Names: []string{"x; DROP TABLE resource_action_traces;--"}}, []int64{}},
		{"percent is no wildcard", domain.Filter{Names: []string{"High%"}}, []int64{}},
		{"underscore is no wildcard", domain.Filter{TargetNames: []string{"web_pp"}}, []int64{}},
		{"injection in every field", domain.Filter{
			ClusterNames: []string{"' OR 1=1 --"}, Environments: []string{"production' --"},
			ActionTypes: []string{"\\"}, Severities: []string{"critical\""}, Statuses: []string{"completed') OR ('a'='a"},
			AlertFingerprints: []string{"$1"}, RemediationRequestIDs: []string{"?"}, TargetKinds: []string{"deployment'"},
		}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := s.list(t, domain.ListQuery{Filter: tt.filter, Limit: 100})
			assert.Equal(t, tt.want, ids(page.Incidents))
			assert.EqualValues(t, len(tt.want), page.Total)
			assert.Nil(t, page.Next)
		})
	}

	t.Run("rows survive injection attempts", func(t *testing.T) {
		assert.EqualValues(t, 25, s.list(t, domain.ListQuery{Limit: 1}).Total)
	})
}
