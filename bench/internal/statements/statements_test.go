package statements

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenDir is the adapter's golden files, seen from this package's directory.
var goldenDir = filepath.Join("..", "..", "..", filepath.FromSlash(GoldenDir))

func load(t *testing.T) *Set {
	t.Helper()
	set, err := Load(goldenDir)
	require.NoError(t, err)
	return set
}

func TestLoadReadsTheServicesParts(t *testing.T) {
	set := load(t)
	assert.True(t, strings.HasPrefix(set.Columns, "rat.id, rat.alert_name,"), set.Columns)
	assert.Contains(t, set.Joined, "JOIN resource_references AS rr")
	assert.Equal(t, "resource_action_traces AS rat", set.Traces)
	assert.Equal(t, "rat.action_timestamp DESC, rat.id DESC", set.Order)
	assert.True(t, set.byName[fNamespaces].object, "a namespace lives on the object")
	assert.True(t, set.byName[fTargetKinds].object)
	assert.False(t, set.byName[fSeverities].object, "a severity lives on the trace")
}

func TestRenderedStatementsMatchTheGoldenFiles(t *testing.T) {
	assert.Empty(t, load(t).Drift(goldenDir))
}

func TestStatementShapes(t *testing.T) {
	set := load(t)
	since := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	sql, args := set.Count(Filter{Severities: []string{"critical"}, Since: &since})
	assert.Equal(t, "SELECT count(*) FROM resource_action_traces AS rat WHERE rat.alert_severity = $1 AND rat.action_timestamp >= $2", sql)
	assert.Len(t, args, 2)

	sql, _ = set.Count(Filter{Namespaces: []string{"a", "b"}})
	assert.Contains(t, sql, "JOIN resource_references AS rr", "a namespace filter needs the object")
	assert.Contains(t, sql, "rr.namespace IN ($1,$2)")

	sql, args = set.List(Filter{Namespaces: []string{"x"}}, &Position{Time: since, ID: 7}, 10, 0)
	assert.Contains(t, sql, "WHERE rr.namespace = $1 AND rat.action_timestamp <= $2 AND (rat.action_timestamp, rat.id) < ($3, $4) ORDER BY")
	assert.Equal(t, []any{"x", since, since, int64(7), 11}, args)

	sql, args = set.Search("[1,2]", Filter{}, 0.7, 10, true)
	assert.Contains(t, sql, "ORDER BY (rat.embedding <=> $4) + 0 LIMIT $5", "the exact scan defeats the index")
	assert.InDelta(t, 0.3, args[2], 1e-12)

	sql, args = set.Search("[1,2]", Filter{}, 0.7, 10, false)
	golden, err := os.ReadFile(filepath.Join(goldenDir, "search_index.golden"))
	require.NoError(t, err)
	want, _, _ := strings.Cut(string(golden), "\n-- args:")
	assert.Equal(t, strings.Join(strings.Fields(want), " "), strings.Join(strings.Fields(sql), " "),
		"an unfiltered index search is the service's statement, its limit in the text")
	assert.Len(t, args, 4)
	sql, _ = set.Search("[1,2]", Filter{Namespaces: []string{"x"}}, 0.7, 10, false)
	assert.Contains(t, sql, "LIMIT $6", "a filtered search keeps the placeholder")

	sql, _ = set.Aggregate(Filter{}, "severity")
	assert.Contains(t, sql, `FROM resource_action_traces AS rat GROUP BY "severity"`)
	sql, _ = set.Aggregate(Filter{}, "namespace", "status")
	assert.Contains(t, sql, "rr.namespace AS namespace", "grouping by namespace reads the object")
	assert.Contains(t, sql, "JOIN resource_references AS rr")
}

func TestLoadRefusesAShapeItCannotRead(t *testing.T) {
	dir := t.TempDir()
	entries, err := os.ReadDir(goldenDir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(goldenDir, e.Name()))
		require.NoError(t, err)
		if e.Name() == "list_every_filter.golden" {
			// A condition on an input the golden files were never rendered with.
			b = []byte(strings.Replace(string(b), `"fp"`, `"other"`, 1))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600))
	}
	_, err = Load(dir)
	assert.ErrorContains(t, err, "list_every_filter.golden")
}
