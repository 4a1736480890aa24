package apptest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/app"
	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

// NewRepositoryFunc returns a repository holding exactly events, ready to read.
type NewRepositoryFunc = func(t *testing.T, events []domain.IncidentEvent) ports.Repository

// similarityDelta tolerates PostgreSQL computing distances in float32.
const similarityDelta = 1e-4

// RunContext runs every scenario through the app over one repository holding Events.
func RunContext(t *testing.T, newRepo NewRepositoryFunc) {
	t.Helper()
	repo := newRepo(t, Events())
	svc := app.NewService(repo, func() time.Time { return Now }, app.NewCursorCodec([]byte("apptest")))
	t.Run("Recovery", func(t *testing.T) { testRecovery(t, svc) })
	t.Run("Historical", func(t *testing.T) { testHistorical(t, svc) })
}

// outcome is an action_outcomes entry; rate -1 stands for null (nothing finished).
type outcome struct {
	action                   string
	total, succeeded, failed int64
	rate                     float64
}

// recovery is the expected answer, as ids, similarities and outcomes.
type recovery struct {
	incident   int64
	previous   []int64
	similar    []int64
	similarity []float64
	outcomes   []outcome
	suggested  []app.SuggestedAction
}

func testRecovery(t *testing.T, svc *app.Service) {
	// The ten nearest to incident 2 (e0) once the alert's own traces (1, 2, 3) are out.
	top10 := []int64{9, 23, 10, 14, 11, 16, 18, 12, 13, 21}
	top10Similarity := []float64{0.97, 0.96, 0.95, 0.92, 0.90, 0.88, 0.86, 0.85, 0.80, 0.78}
	restartOutcomes := []outcome{
		{"increase_memory_limit", 6, 5, 1, 5.0 / 6}, // 9, 23, 10, 11, 13 completed; 12 failed
		{"restart_pod", 2, 1, 1, 0.5},               // 14 completed; 1 failed
		{"cordon_drain_node", 1, 0, 0, -1},          // 18 executing
		{"increase_cpu_limit", 1, 1, 0, 1},          // 21
		{"rollback_deployment", 1, 1, 0, 1},         // 16
		{"scale_deployment", 1, 0, 1, 0},            // 3 rolled-back
	}
	tests := []struct {
		name   string
		rrid   string
		params app.Params
		want   recovery
	}{
		{"a retried restart: the newest trace, the other attempts, a bigger memory limit suggested", RRRestart, nil, recovery{
			incident: 2, previous: []int64{3, 1}, similar: top10, similarity: top10Similarity, outcomes: restartOutcomes,
			suggested: []app.SuggestedAction{{ActionType: "increase_memory_limit", Rate: 5.0 / 6, Samples: 6}},
		}},
		{"the alert's traces are left out before the limit", RRRestart, app.Params{"limit": {"3"}}, recovery{
			incident: 2, previous: []int64{3, 1}, similar: []int64{9, 23, 10}, similarity: []float64{0.97, 0.96, 0.95},
			outcomes: []outcome{
				{"increase_memory_limit", 3, 3, 0, 1}, {"restart_pod", 1, 0, 1, 0}, {"scale_deployment", 1, 0, 1, 0},
			},
			suggested: []app.SuggestedAction{{ActionType: "increase_memory_limit", Rate: 1, Samples: 3}},
		}},
		{"ties: more samples first, then by name", RRRestart, app.Params{"limit": {"50"}, "min_samples": {"1"}}, recovery{
			incident: 2, previous: []int64{3, 1},
			similar:    append(append([]int64{}, top10...), 15, 17, 22),
			similarity: append(append([]float64{}, top10Similarity...), 0.75, 0.72, 0.71),
			outcomes: []outcome{
				{"increase_memory_limit", 6, 5, 1, 5.0 / 6}, {"restart_pod", 2, 1, 1, 0.5},
				{"rollback_deployment", 2, 2, 0, 1}, {"scale_deployment", 2, 1, 1, 0.5},
				{"adjust_hpa", 1, 1, 0, 1}, {"cordon_drain_node", 1, 0, 0, -1}, {"increase_cpu_limit", 1, 1, 0, 1},
			},
			suggested: []app.SuggestedAction{
				{ActionType: "rollback_deployment", Rate: 1, Samples: 2},
				{ActionType: "adjust_hpa", Rate: 1, Samples: 1},
				{ActionType: "increase_cpu_limit", Rate: 1, Samples: 1},
				{ActionType: "increase_memory_limit", Rate: 5.0 / 6, Samples: 6},
			},
		}},
		{"min_samples is inclusive", RRRestart, app.Params{"min_samples": {"6"}}, recovery{
			incident: 2, previous: []int64{3, 1}, similar: top10, similarity: top10Similarity, outcomes: restartOutcomes,
			suggested: []app.SuggestedAction{{ActionType: "increase_memory_limit", Rate: 5.0 / 6, Samples: 6}},
		}},
		{"too few samples", RRRestart, app.Params{"min_samples": {"7"}}, recovery{
			incident: 2, previous: []int64{3, 1}, similar: top10, similarity: top10Similarity, outcomes: restartOutcomes,
			suggested: []app.SuggestedAction{},
		}},
		{"every action already failed; no embedding, no similar incidents", RRScale, app.Params{"min_samples": {"1"}}, recovery{
			incident: 3, previous: []int64{2, 1}, similar: []int64{}, similarity: []float64{},
			outcomes:  []outcome{{"restart_pod", 2, 0, 2, 0}},
			suggested: []app.SuggestedAction{},
		}},
		{"no previous attempts", RRGateway, app.Params{"limit": {"3"}, "min_samples": {"1"}}, recovery{
			// From incident 10 (0.95·e0 + …): 2 is 0.95 similar, 1 0.95·0.98, 9 0.95·0.97.
			incident: 10, previous: []int64{}, similar: []int64{2, 1, 9}, similarity: []float64{0.95, 0.931, 0.9215},
			outcomes: []outcome{{"restart_pod", 2, 0, 2, 0}, {"increase_memory_limit", 1, 1, 0, 1}},
			// restart_pod failed elsewhere, never for this alert: it stays, ranked last.
			suggested: []app.SuggestedAction{
				{ActionType: "increase_memory_limit", Rate: 1, Samples: 1}, {ActionType: "restart_pod", Rate: 0, Samples: 2},
			},
		}},
		{"no fingerprint: same alert name, namespace, kind (any case) and name", RRIdxCPU, app.Params{"min_samples": {"1"}}, recovery{
			incident: 31, previous: []int64{37, 30, 36}, similar: []int64{}, similarity: []float64{},
			outcomes:  []outcome{{"scale_deployment", 2, 1, 1, 0.5}, {"rollback_deployment", 1, 1, 0, 1}},
			suggested: []app.SuggestedAction{{ActionType: "rollback_deployment", Rate: 1, Samples: 1}},
		}},
		{"no fingerprint, cluster-scoped: a NULL namespace matches NULL only", RRWorker7, app.Params{"min_samples": {"1"}}, recovery{
			incident: 40, previous: []int64{41}, similar: []int64{}, similarity: []float64{},
			outcomes:  []outcome{{"cordon_drain_node", 1, 1, 0, 1}},
			suggested: []app.SuggestedAction{{ActionType: "cordon_drain_node", Rate: 1, Samples: 1}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := svc.RecoveryContext(t.Context(), tt.rrid, tt.params)
			require.NoError(t, err)
			assertRecovery(t, tt.want, got)
		})
	}

	t.Run("an unknown remediation request", func(t *testing.T) {
		_, _, err := svc.RecoveryContext(t.Context(), RRNoSuchOne, nil)
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func assertRecovery(t *testing.T, want recovery, got app.RecoveryContext) {
	t.Helper()
	assert.Equal(t, want.incident, got.Incident.ID)
	assert.Nil(t, got.Incident.Embedding, "the embedding is not part of the answer")
	assert.Equal(t, want.previous, ids(got.PreviousAttempts))
	for _, e := range got.PreviousAttempts {
		assert.Nil(t, e.Embedding)
	}
	gotSimilar := make([]int64, 0, len(got.SimilarIncidents))
	for _, f := range got.SimilarIncidents {
		gotSimilar = append(gotSimilar, f.Incident.ID)
		assert.Nil(t, f.Incident.Embedding)
	}
	assert.Equal(t, want.similar, gotSimilar)
	if assert.Len(t, got.SimilarIncidents, len(want.similarity)) {
		for i, f := range got.SimilarIncidents {
			assert.InDelta(t, want.similarity[i], f.Similarity, similarityDelta, "incident %d", f.Incident.ID)
		}
	}
	gotOutcomes := make([]outcome, 0, len(got.ActionOutcomes))
	for _, o := range got.ActionOutcomes {
		rate := -1.0
		if o.Rate != nil {
			rate = *o.Rate
		}
		gotOutcomes = append(gotOutcomes, outcome{o.ActionType, o.Total, o.Succeeded, o.Failed, rate})
	}
	assert.Equal(t, want.outcomes, gotOutcomes)
	assert.Equal(t, want.suggested, got.SuggestedActions)
}

func ids(incidents []domain.IncidentEvent) []int64 {
	out := make([]int64, 0, len(incidents))
	for _, e := range incidents {
		out = append(out, e.ID)
	}
	return out
}
