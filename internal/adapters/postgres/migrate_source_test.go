package postgres

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/migrations"
)

// Every file of migrations/ reads, and each of its indexes on the traces table is one
// the runner builds concurrently: none hides in an ordinary statement.
func TestMigrationFilesRead(t *testing.T) {
	files, err := readMigrations(migrations.FS)
	require.NoError(t, err)
	require.Len(t, files, 7)
	indexes := map[string][]string{}
	for _, f := range files {
		for _, a := range f.up {
			if a.index != nil {
				indexes[f.name] = append(indexes[f.name], a.index.name)
				continue
			}
			for _, stmt := range a.tx {
				assert.NotRegexp(t, `(?i)CREATE\s+(UNIQUE\s+)?INDEX[^;]*\sON\s+(ONLY\s+)?resource_action_traces\s`, stmt, f.name)
			}
		}
	}
	assert.Len(t, indexes["000001_data_storage_tables.sql"], 13)
	assert.Equal(t, []string{"idx_rat_alert_fingerprint", "idx_rat_cluster_name", "idx_rat_environment", "idx_rat_context_filters"},
		indexes["000002_alert_cluster_environment_columns.sql"])
	assert.Empty(t, indexes["000003_default_and_monthly_partitions.sql"])
	assert.Equal(t, []string{"idx_rat_embedding_hnsw"}, indexes["000004_embedding_column_and_hnsw_index.sql"])
	assert.Equal(t, []string{"idx_rat_timeline"}, indexes["000005_trace_timeline_index.sql"])
	assert.Equal(t, []string{"idx_rat_embedding_hnsw"}, indexes["000006_hnsw_ef_construction_128.sql"])
	assert.Equal(t, []string{"idx_rat_environment_timeline", "idx_rat_cluster_timeline"}, indexes["000007_environment_and_cluster_timelines.sql"])

	rebuild := files[5].up[1]
	assert.True(t, rebuild.rebuild)
	assert.Equal(t, []string{"ef_construction=128", "m=16"}, rebuild.index.options)
	assert.Equal(t, files[3].up[1].index.def, rebuild.index.def, "000004 builds what 000006 asks for")
}

func TestParseMigration(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sql     string
		wantUp  []action
		wantErr string
	}{
		{
			name:   "ordinary statements share a transaction; comments between them go",
			sql:    "-- +goose Up\n-- a comment\nCREATE TABLE a (x int); -- trailing\n\nALTER TABLE a ADD COLUMN y int;\n-- +goose Down\nDROP TABLE a;\n",
			wantUp: []action{{tx: []string{"CREATE TABLE a (x int); -- trailing", "ALTER TABLE a ADD COLUMN y int;"}}},
		},
		{
			name:   "a StatementBegin block is one statement",
			sql:    "-- +goose Up\n-- +goose StatementBegin\nDO $$\nBEGIN\n  PERFORM 1;\nEND\n$$;\n-- +goose StatementEnd\n",
			wantUp: []action{{tx: []string{"DO $$\nBEGIN\n  PERFORM 1;\nEND\n$$;"}}},
		},
		{
			name: "an index of the traces table splits the transactions",
			sql: "-- +goose Up\nSET x = 1;\nCREATE INDEX IF NOT EXISTS idx_a\n    ON resource_action_traces (a) -- why\n    WHERE a IS NOT NULL;\n" +
				"CREATE INDEX IF NOT EXISTS idx_b ON resource_action_traces_default (b);\n",
			wantUp: []action{
				{tx: []string{"SET x = 1;"}},
				{index: &indexDef{name: "idx_a", def: "(a) WHERE a IS NOT NULL"}},
				{tx: []string{"CREATE INDEX IF NOT EXISTS idx_b ON resource_action_traces_default (b);"}},
			},
		},
		{
			name: "DROP then CREATE of one index is a rebuild",
			sql:  "-- +goose Up\nDROP INDEX IF EXISTS idx_v;\nCREATE INDEX idx_v ON resource_action_traces USING hnsw (v vector_cosine_ops) WITH (m = 16, EF_construction = '128');\n",
			wantUp: []action{{rebuild: true, index: &indexDef{name: "idx_v",
				def: "USING hnsw (v vector_cosine_ops) WITH (m = 16, EF_construction = '128')", options: []string{"ef_construction=128", "m=16"}}}},
		},
		{
			name:    "a CREATE INDEX of the traces table without IF NOT EXISTS",
			sql:     "-- +goose Up\nCREATE INDEX idx_a ON resource_action_traces (a);\n",
			wantErr: "needs IF NOT EXISTS",
		},
		{
			name:    "CONCURRENTLY is the runner's business",
			sql:     "-- +goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_a ON resource_action_traces (a);\n",
			wantErr: "leave CONCURRENTLY and ONLY out",
		},
		{
			name:    "a schema-qualified traces table",
			sql:     "-- +goose Up\nCREATE INDEX IF NOT EXISTS idx_a ON public.resource_action_traces (a);\n",
			wantErr: "cannot read",
		},
		{
			name:    "NO TRANSACTION",
			sql:     "-- +goose NO TRANSACTION\n-- +goose Up\nSELECT 1;\n",
			wantErr: "not supported",
		},
		{
			name:    "a statement without its semicolon",
			sql:     "-- +goose Up\nSELECT 1\n",
			wantErr: "without its ';'",
		},
		{
			name:    "a statement block before '-- +goose Up'",
			sql:     "-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n-- +goose Up\n",
			wantErr: "before '-- +goose Up'",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up, _, err := parseMigration(tc.sql)
			if wantError(t, err, tc.wantErr) {
				assert.Equal(t, tc.wantUp, up)
			}
		})
	}
}

func TestPartitionIndexNames(t *testing.T) {
	for _, tc := range []struct{ index, partition, want string }{
		{"idx_rat_timeline", "resource_action_traces_y2025m07", "idx_rat_timeline_y2025m07"},
		{"idx_rat_timeline", "resource_action_traces_default", "idx_rat_timeline_default"},
		{"idx_rat_timeline", "traces_archive", "idx_rat_timeline_traces_archive"},
		{"idx_rat_effectiveness_analysis_new", "resource_action_traces_y2025m07", "idx_rat_effectiveness_analysis_new_y2025m07"},
	} {
		assert.Equal(t, tc.want, partitionIndexName(tc.index, relation{name: tc.partition}))
	}
	long := partitionIndexName(strings.Repeat("i", 60), relation{name: "resource_action_traces_y2025m07"})
	assert.Len(t, long, maxIdentifier)
	assert.Equal(t, long, partitionIndexName(strings.Repeat("i", 60), relation{name: "resource_action_traces_y2025m07"}))
	assert.NotEqual(t, long, partitionIndexName(strings.Repeat("i", 60), relation{name: "resource_action_traces_y2025m08"}))
}

// wantError checks err against want, an expected part of its message or "" for none,
// and reports whether the test goes on to check the result.
func wantError(t *testing.T, err error, want string) bool {
	t.Helper()
	if want == "" {
		require.NoError(t, err)
		return true
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), want)
	return false
}
