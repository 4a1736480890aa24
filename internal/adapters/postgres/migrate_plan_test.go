package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCatalogue is a traces table of the given kind with partitions p1, p2, ... (oids
// 11, 12, ...) and the given indexes, created in order.
func testCatalogue(kind byte, partitions int, indexes ...testIndex) *catalogue {
	c := &catalogue{table: relation{oid: 1, schema: "public", name: tracesTable}, kind: kind,
		indexes: map[string]*index{}, nextOID: 1000}
	for i := range partitions {
		c.partitions = append(c.partitions, relation{oid: uint32(11 + i), schema: "public", name: tracesTable + "_p" + string(rune('1'+i))})
	}
	for _, ix := range indexes {
		added := c.add(ix.name, ix.table, !ix.invalid, ix.options)
		if ix.parent != "" {
			added.parent = c.indexes[ix.parent].oid
		}
	}
	return c
}

type testIndex struct {
	name    string
	table   uint32
	invalid bool
	options []string
	parent  string
}

// Plans for catalogue states the database tests do not reach, carried out on the
// catalogue itself as a dry run does: the statements, and that they converge.
func TestPlanIndex(t *testing.T) {
	d := indexDef{name: "idx_a", def: "(a)"}
	v := indexDef{name: "idx_v", def: "USING hnsw (v) WITH (m = 16)", options: []string{"m=16"}}
	for _, tc := range []struct {
		name    string
		given   *catalogue
		action  action
		want    []string
		wantErr string
	}{
		{
			name:   "a table without partitions",
			given:  testCatalogue('r', 0),
			action: action{index: &d},
			want:   []string{"CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_a ON resource_action_traces (a)"},
		},
		{
			name:   "a table without partitions, its index left invalid",
			given:  testCatalogue('r', 0, testIndex{name: "idx_a", table: 1, invalid: true}),
			action: action{index: &d},
			want:   []string{"DROP INDEX CONCURRENTLY IF EXISTS idx_a", "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_a ON resource_action_traces (a)"},
		},
		{
			name:   "partitions",
			given:  testCatalogue('p', 2),
			action: action{index: &d},
			want: []string{
				"CREATE INDEX IF NOT EXISTS idx_a ON ONLY resource_action_traces (a)",
				"CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_a_p1 ON resource_action_traces_p1 (a)",
				"ALTER INDEX idx_a ATTACH PARTITION idx_a_p1",
				"CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_a_p2 ON resource_action_traces_p2 (a)",
				"ALTER INDEX idx_a ATTACH PARTITION idx_a_p2",
			},
		},
		{
			name: "a rebuild whose old index was dropped by hand, the new one complete",
			given: testCatalogue('p', 1, testIndex{name: "idx_v_new", table: 1, options: v.options},
				testIndex{name: "idx_v_new_p1", table: 11, options: v.options, parent: "idx_v_new"}),
			action: action{index: &v, rebuild: true},
			want:   []string{"ALTER INDEX idx_v_new RENAME TO idx_v", "ALTER INDEX idx_v_new_p1 RENAME TO idx_v_p1"},
		},
		{
			name: "a rebuild with a leftover holding a partition index's name",
			given: testCatalogue('p', 1, testIndex{name: "idx_v", table: 1, options: []string{"m=8"}},
				testIndex{name: "resource_action_traces_p1_v_idx", table: 11, options: []string{"m=8"}, parent: "idx_v"},
				testIndex{name: "idx_v_p1", table: 11, invalid: true, options: v.options}),
			action: action{index: &v, rebuild: true},
			want: []string{
				"CREATE INDEX IF NOT EXISTS idx_v_new ON ONLY resource_action_traces USING hnsw (v) WITH (m = 16)",
				"CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_v_new_p1 ON resource_action_traces_p1 USING hnsw (v) WITH (m = 16)",
				"ALTER INDEX idx_v_new ATTACH PARTITION idx_v_new_p1",
				"DROP INDEX CONCURRENTLY IF EXISTS idx_v_p1",
				"DROP INDEX idx_v", "ALTER INDEX idx_v_new RENAME TO idx_v", "ALTER INDEX idx_v_new_p1 RENAME TO idx_v_p1",
			},
		},
		{
			name: "a partition itself partitioned",
			given: func() *catalogue {
				c := testCatalogue('p', 1)
				c.partitions[0].subpartitions = true
				return c
			}(),
			action:  action{index: &d},
			wantErr: "is itself partitioned",
		},
		{
			name:    "the name taken by an index of another table",
			given:   testCatalogue('p', 1, testIndex{name: "idx_a", table: 99}),
			action:  action{index: &d},
			wantErr: "exists, but not on resource_action_traces",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.given
			var got []string
			err := converge(tc.action, func() (*catalogue, error) { return c, nil }, func(s step) error {
				got = append(got, s.sql...)
				s.effect(c)
				return nil
			})
			if !wantError(t, err, tc.wantErr) {
				return
			}
			assert.Equal(t, tc.want, got)
			steps, err := plan(c, tc.action)
			require.NoError(t, err)
			assert.Empty(t, steps, "nothing left to do")
		})
	}
}
