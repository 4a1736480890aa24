package app

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

// Answers whose window is computed from the clock say when that window moves, so an
// outer layer never replays them past it (testNow is 2026-03-10T15:04:05Z).
func TestClockDependentAnswersSayWhenTheyExpire(t *testing.T) {
	// Reads through a cache, so the answers are reusable and their bound shows.
	cached := domain.Read{Source: domain.ReadHit, Version: "k@1"}
	repo := &recordingRepo{read: cached}
	t.Run("trend until midnight UTC", func(t *testing.T) {
		_, v, err := newTestService(repo).Trend(context.Background(), Params{"days": {"7"}})
		require.NoError(t, err)
		assertReusableFor(t, v, 8*time.Hour+55*time.Minute+55*time.Second)
	})
	t.Run("historical context until the next whole minute", func(t *testing.T) {
		repo := &recordingRepo{read: cached, groups: []domain.Group{{Key: domain.GroupKey{ActionType: "restart_pod"}, Count: 1}}}
		p := Params{"namespace": {"shop"}, "targetType": {"Deployment"}, "targetName": {"api"}, "timeRange": {"1h"},
			"includeEmbeddings": {"false"}}
		_, v, err := newTestService(repo).HistoricalContext(context.Background(), p)
		require.NoError(t, err)
		assertReusableFor(t, v, 55*time.Second)
	})
	t.Run("a list depends on its values alone", func(t *testing.T) {
		_, v, err := newTestService(repo).ListIncidents(context.Background(), Params{"since": {"2026-03-01T00:00:00Z"}})
		require.NoError(t, err)
		assertReusableFor(t, v, 0)
	})
}

// assertReusableFor checks that an answer built from cached reads is reusable for
// maxAge at most (0: as long as its values hold).
func assertReusableFor(t *testing.T, v domain.Validity, maxAge time.Duration) {
	t.Helper()
	_, got, ok := v.Reusable()
	require.True(t, ok)
	assert.Equal(t, maxAge, got)
}
