package statements

import (
	"fmt"
	"strings"
)

// Drift renders the statements the golden files in dir show, for the inputs they were
// rendered with (internal/adapters/postgres/sqlshape_test.go), and returns one warning
// per difference. The parts Load read cannot differ; what can is the assembly around
// them and the copies (phases, the count's select list), and a golden file the
// service's change gave a shape Load misreads. list_cursor.golden selects the
// embedding too, which B1's pages never do: its keyset condition is what Load reads.
func (set *Set) Drift(dir string) []string {
	full := Filter{
		Namespaces: []string{"default'; DROP TABLE resource_action_traces;--"}, ClusterNames: []string{"a", "b"},
		Environments: []string{"production"}, ActionTypes: []string{"restart_pod"}, Severities: []string{"critical"},
		Statuses: []string{"failed"}, Names: []string{"HighMemoryUsage"}, Fingerprints: []string{"fp"},
		RemediationIDs: []string{"rr"}, TargetKinds: []string{"deployment"}, TargetNames: []string{"api"},
		Since: &goldenSince, Until: &goldenUntil,
	}
	// The golden counts select COUNT(*) explicitly; GORM's Count sends count(*).
	count := func(sql string, _ []any) string { return strings.Replace(sql, "SELECT count(*)", "SELECT COUNT(*)", 1) }
	first := func(sql string, _ []any) string { return sql }
	cases := []struct{ name, sql string }{
		{"count_every_filter", count(set.Count(full))},
		{"count_traces_only", count(set.Count(Filter{Severities: []string{"critical"}, Since: &goldenSince}))},
		{"list_default", first(set.List(Filter{}, nil, 10, 0))},
		{"list_every_filter", first(set.List(full, nil, 50, 10))},
		{"list_phase_completed", first(set.List(Filter{Phases: []string{"completed"}}, nil, 10, 0))},
		{"list_phases", first(set.List(Filter{Namespaces: []string{"prod"}, Phases: []string{"pending", "failed"}}, nil, 10, 0))},
	}
	var warnings []string
	for _, c := range cases {
		g, err := readGolden(dir, c.name)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("SQL drift check: %s.golden unreadable (%v)", c.name, err))
			continue
		}
		if g.sql != strings.TrimSpace(c.sql) {
			warnings = append(warnings, fmt.Sprintf("SQL drift: B1's %s differs from the service's golden SQL (%s.golden): update bench/internal/statements so B1 runs the same statements", c.name, c.name))
		}
	}
	return warnings
}
