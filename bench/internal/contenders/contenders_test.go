package contenders

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/bench/internal/statements"
	"github.com/contextapi/contextapi/bench/internal/workload"
)

func TestVectorTextRoundTrips(t *testing.T) {
	v := []float64{0.1, -2.5, 3}
	got, err := workload.ParseVector(VectorText(v))
	require.NoError(t, err)
	assert.InDeltaSlice(t, v, got, 1e-7)
}

func TestB1CursorRoundTrips(t *testing.T) {
	p := statements.Position{Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ID: 42}
	got, err := decodeCursor(encodeCursor(p))
	require.NoError(t, err)
	assert.Equal(t, p, got)
	_, err = decodeCursor("not a cursor")
	assert.Error(t, err)
}

func TestParseSearch(t *testing.T) {
	body := workload.SearchRequest(make([]float64, 384), 5, map[string]string{"namespace": "a"}).Body
	q, err := ParseSearch(body)
	require.NoError(t, err)
	assert.Equal(t, 5, q.Limit)
	assert.InDelta(t, 0.7, q.Threshold, 1e-12)
	assert.Equal(t, []string{"a"}, q.Filter.Namespaces)
	_, err = ParseSearch([]byte(`{"embedding":[1,2]}`))
	assert.Error(t, err, "384 numbers")
}
