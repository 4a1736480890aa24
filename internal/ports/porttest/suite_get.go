package porttest

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func (s *suite) testGet(t *testing.T) {
	get := func(t *testing.T, id int64, withEmbedding bool) domain.IncidentEvent {
		t.Helper()
		e, _, err := s.repo.Get(t.Context(), domain.GetQuery{ID: id, IncludeEmbedding: withEmbedding})
		require.NoError(t, err)
		return e
	}

	t.Run("every row round-trips without its embedding", func(t *testing.T) {
		for _, id := range listOrder {
			e := get(t, id, false)
			require.Equal(t, id, e.ID)
			s.assertIncident(t, e, false)
		}
	})

	t.Run("every row round-trips with its embedding", func(t *testing.T) {
		for _, id := range listOrder {
			s.assertIncident(t, get(t, id, true), true)
		}
	})

	t.Run("absent ids are not found", func(t *testing.T) {
		for _, id := range []int64{26, 0, -1, math.MaxInt64, math.MinInt64} {
			_, _, err := s.repo.Get(t.Context(), domain.GetQuery{ID: id})
			assert.ErrorIs(t, err, domain.ErrNotFound, "id %d", id)
		}
	})

	t.Run("NULL columns come back as nil", func(t *testing.T) {
		e := get(t, 16, true)
		assert.Nil(t, e.Namespace)
		assert.Nil(t, e.AlertFingerprint)
		assert.Nil(t, e.ClusterName)
		assert.Nil(t, e.Environment)
		assert.Nil(t, e.Status)
		assert.Equal(t, domain.PhasePending, e.Phase())
		assert.Nil(t, e.EndTime)
		assert.Nil(t, e.DurationMs)
		assert.Nil(t, e.ErrorMessage)
		assert.Nil(t, e.Metadata)
		assert.Nil(t, e.CreatedAt)
		assert.Nil(t, e.UpdatedAt)
		assert.Nil(t, e.Embedding)
	})

	t.Run("set columns come back set", func(t *testing.T) {
		e := get(t, 17, false)
		require.NotNil(t, e.Status)
		assert.Equal(t, "rolled-back", *e.Status)
		assert.Equal(t, domain.PhaseFailed, e.Phase())
		require.NotNil(t, e.ErrorMessage)
		assert.Equal(t, "rollback timed out after 240s; reverted to revision 41", *e.ErrorMessage)
		require.NotNil(t, e.DurationMs)
		assert.EqualValues(t, 240000, *e.DurationMs)
		require.NotNil(t, e.CreatedAt)
		require.NotNil(t, e.UpdatedAt)
		assert.True(t, e.UpdatedAt.After(*e.CreatedAt), "created_at and updated_at are distinct columns")
	})

	t.Run("times keep their microseconds", func(t *testing.T) {
		e := get(t, 1, false)
		assert.True(t, e.StartTime.Equal(time.Date(2026, time.June, 15, 10, 34, 56, 123456000, time.UTC)), "start %v", e.StartTime)
		assert.Equal(t, 123456000, e.StartTime.Nanosecond())
		require.NotNil(t, e.EndTime)
		assert.True(t, e.EndTime.Equal(time.Date(2026, time.June, 15, 10, 39, 56, 123456000, time.UTC)), "end %v", e.EndTime)
		e = get(t, 21, false)
		assert.True(t, e.StartTime.Equal(leapDayEnd), "start %v", e.StartTime)
	})

	t.Run("unicode survives", func(t *testing.T) {
		e := get(t, 23, false)
		require.NotNil(t, e.Namespace)
		assert.Equal(t, "命名空间", *e.Namespace)
		assert.Equal(t, "HighMemory-🚀", e.Name)
		var meta struct {
			Description string `json:"description"`
			Z           struct {
				A string `json:"a"`
			} `json:"z"`
		}
		require.NoError(t, json.Unmarshal(e.Metadata, &meta))
		assert.Equal(t, "内存使用率超过 90% 🚀", meta.Description)
		assert.Equal(t, "ü", meta.Z.A)
	})

	t.Run("metadata is the stored JSON object", func(t *testing.T) {
		assert.JSONEq(t, `{"replicas": 5, "description": "Pod memory usage exceeded 90% threshold"}`, string(get(t, 1, false).Metadata))
		assert.JSONEq(t, `{"error": "revision not found", "description": "Deployment rollback failed due to missing previous revision"}`, string(get(t, 4, false).Metadata))
	})

	t.Run("results are copies", func(t *testing.T) {
		e := get(t, 23, true)
		*e.Namespace = "changed"
		e.Embedding[0] = 42
		e.Metadata[0] = '['
		*e.EndTime = time.Time{}
		s.assertIncident(t, get(t, 23, true), true)

		page := s.list(t, domain.ListQuery{Filter: domain.Filter{Names: []string{"HighMemory-🚀"}}, Limit: 1, IncludeEmbedding: true})
		require.Len(t, page.Incidents, 1)
		*page.Incidents[0].Status = "changed"
		page.Incidents[0].Embedding[1] = 42
		s.assertIncident(t, get(t, 23, true), true)

		found, _, err := s.repo.Search(t.Context(), domain.SemanticQuery{
			Embedding: s.want[23].Embedding, Limit: 1, Threshold: 0.9, IncludeEmbedding: true,
		})
		require.NoError(t, err)
		require.Len(t, found, 1)
		found[0].Incident.Embedding[2] = 42
		*found[0].Incident.ClusterName = "changed"
		s.assertIncident(t, get(t, 23, true), true)
	})
}
