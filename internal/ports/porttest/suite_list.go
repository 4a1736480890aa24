package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func (s *suite) testList(t *testing.T) {
	const day = 24 * time.Hour

	t.Run("orders by start time then id, both descending", func(t *testing.T) {
		page := s.list(t, domain.ListQuery{Limit: 100})
		assert.Equal(t, listOrder, ids(page.Incidents))
		assert.EqualValues(t, 25, page.Total)
		assert.False(t, page.TotalIsEstimate)
		assert.Nil(t, page.Next, "nothing follows the last row")
	})

	t.Run("first page of ten counts every row and points at the eleventh", func(t *testing.T) {
		page := s.list(t, domain.ListQuery{Limit: 10})
		assert.Equal(t, []int64{22, 15, 14, 5, 3, 4, 2, 1, 6, 7}, ids(page.Incidents))
		assert.EqualValues(t, 25, page.Total)
		require.NotNil(t, page.Next)
		assert.True(t, page.Next.StartTime.Equal(*ago(4 * time.Hour)), "cursor time %v", page.Next.StartTime)
		assert.EqualValues(t, 7, page.Next.ID)
	})

	t.Run("upstream seed pages by limit and offset", func(t *testing.T) {
		tests := []struct {
			name          string
			limit, offset int
			want          []int64
			wantNext      int64 // id of the cursor's row; 0: no cursor
		}{
			{"first ten", 10, 0, []int64{15, 14, 5, 3, 4, 2, 1, 6, 7, 8}, 8},
			{"limit 5 offset 5", 5, 5, []int64{2, 1, 6, 7, 8}, 8},
			{"limit 5 offset 10 is the last page", 5, 10, []int64{10, 9, 11, 12, 13}, 0},
			{"a page ending exactly at the last row", 15, 0, seedOrder, 0},
			{"a page ending one row early", 14, 0, seedOrder[:14], 12},
			{"a limit beyond the rows", 100, 0, seedOrder, 0},
			{"an offset beyond the rows", 5, 15, []int64{}, 0},
			{"an offset far beyond the rows", 10, 10000, []int64{}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				page := s.list(t, domain.ListQuery{Filter: seedWindow(), Limit: tt.limit, Offset: tt.offset})
				assert.Equal(t, tt.want, ids(page.Incidents))
				assert.EqualValues(t, 15, page.Total, "total ignores paging")
				if tt.wantNext == 0 {
					assert.Nil(t, page.Next)
					return
				}
				require.NotNil(t, page.Next)
				assert.Equal(t, tt.wantNext, page.Next.ID)
				assert.True(t, page.Next.StartTime.Equal(s.want[tt.wantNext].StartTime))
			})
		}
	})

	t.Run("keyset pages visit every row once, in order", func(t *testing.T) {
		for _, limit := range []int{1, 2, 3, 7, 24, 25, 100} {
			got := s.walk(t, domain.Filter{}, limit, 25)
			assert.Equal(t, listOrder, got, "limit %d", limit)
		}
	})

	t.Run("keyset pages over a filter", func(t *testing.T) {
		got := s.walk(t, domain.Filter{Namespaces: []string{"production"}}, 4, 15)
		assert.Equal(t, []int64{15, 14, 5, 3, 4, 2, 1, 11, 12, 13, 18, 17, 25, 24, 21}, got)
	})

	t.Run("cursors", func(t *testing.T) {
		tests := []struct {
			name  string
			after domain.Cursor
			want  []int64
		}{
			{"between rows of the same start time", domain.Cursor{StartTime: *ago(12 * day), ID: 20}, []int64{19, 23, 24}},
			{"after the older of two equal start times", domain.Cursor{StartTime: *ago(12 * day), ID: 19}, []int64{23, 24, 21}},
			{"at a row's time with an id no row has", domain.Cursor{StartTime: *ago(2 * time.Hour), ID: 100}, []int64{1, 6, 7}},
			{"at a row's exact position", domain.Cursor{StartTime: *ago(2 * time.Hour), ID: 1}, []int64{6, 7, 8}},
			{"at a time no row has", domain.Cursor{StartTime: *ago(90 * time.Minute), ID: 0}, []int64{1, 6, 7}},
			{"one microsecond after a row", domain.Cursor{StartTime: ago(2 * time.Hour).Add(time.Microsecond), ID: 0}, []int64{1, 6, 7}},
			{"after the future row", domain.Cursor{StartTime: *at(400 * day), ID: 22}, []int64{15, 14, 5}},
			{"after the last row", domain.Cursor{StartTime: leapDayEnd, ID: 21}, []int64{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				after := tt.after
				page := s.list(t, domain.ListQuery{Limit: 3, After: &after})
				assert.Equal(t, tt.want, ids(page.Incidents))
				assert.EqualValues(t, 25, page.Total, "total counts every match, not only those after the cursor")
			})
		}
	})

	t.Run("embedding only when asked", func(t *testing.T) {
		page := s.list(t, domain.ListQuery{Limit: 100})
		for _, e := range page.Incidents {
			assert.Nil(t, e.Embedding, "incident %d", e.ID)
		}
		page = s.list(t, domain.ListQuery{Limit: 100, IncludeEmbedding: true})
		require.Len(t, page.Incidents, 25)
		for _, e := range page.Incidents {
			assert.Equal(t, s.want[e.ID].Embedding, e.Embedding, "incident %d", e.ID)
		}
		assert.Nil(t, page.Incidents[16].Embedding, "16 has a NULL embedding")
		assert.Len(t, page.Incidents[23].Embedding, domain.EmbeddingDimensions, "24's zero vector is stored")
	})

	t.Run("every row comes back whole", func(t *testing.T) {
		page := s.list(t, domain.ListQuery{Limit: 100, IncludeEmbedding: true})
		for _, e := range page.Incidents {
			s.assertIncident(t, e, true)
		}
	})
}

// walk follows Next from the first page to the last and returns the ids seen. Every
// page must be non-empty, hold at most limit rows and report the same total.
func (s *suite) walk(t *testing.T, f domain.Filter, limit int, total int64) []int64 {
	t.Helper()
	var got []int64
	var after *domain.Cursor
	for range 100 {
		page := s.list(t, domain.ListQuery{Filter: f, Limit: limit, After: after})
		require.NotEmpty(t, page.Incidents, "limit %d: a cursor led to an empty page", limit)
		require.LessOrEqual(t, len(page.Incidents), limit)
		assert.Equal(t, total, page.Total, "limit %d", limit)
		got = append(got, ids(page.Incidents)...)
		if page.Next == nil {
			return got
		}
		last := page.Incidents[len(page.Incidents)-1]
		require.Equal(t, last.ID, page.Next.ID, "the cursor is the last row's position")
		require.True(t, last.StartTime.Equal(page.Next.StartTime))
		after = page.Next
	}
	require.FailNow(t, "keyset paging did not end", "limit %d", limit)
	return nil
}
