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
	t.Run("trend until midnight UTC", func(t *testing.T) {
		ctx, report := domain.WithReadReport(context.Background())
		_, err := newTestService(&recordingRepo{}).Trend(ctx, Params{"days": {"7"}})
		require.NoError(t, err)
		d, ok := report.Expiry()
		require.True(t, ok)
		assert.Equal(t, 8*time.Hour+55*time.Minute+55*time.Second, d)
	})
	t.Run("historical context until the next whole minute", func(t *testing.T) {
		ctx, report := domain.WithReadReport(context.Background())
		p := Params{"namespace": {"shop"}, "targetType": {"Deployment"}, "targetName": {"api"}, "timeRange": {"1h"}}
		_, err := newTestService(&recordingRepo{}).HistoricalContext(ctx, p)
		require.ErrorIs(t, err, domain.ErrNotFound)
		d, ok := report.Expiry()
		require.True(t, ok)
		assert.Equal(t, 55*time.Second, d)
	})
	t.Run("a list depends on its values alone", func(t *testing.T) {
		ctx, report := domain.WithReadReport(context.Background())
		_, err := newTestService(&recordingRepo{}).ListIncidents(ctx, Params{"since": {"2026-03-01T00:00:00Z"}})
		require.NoError(t, err)
		_, ok := report.Expiry()
		assert.False(t, ok)
	})
}
