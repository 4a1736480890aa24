package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The statements below are the service's, copied from what it sends (the golden files
// under internal/adapters/postgres/testdata/sql, and pg_stat_activity for search,
// get and aggregations), so B1 runs the same SQL. checkSQLDrift compares them with the
// golden files on every run and warns when the service's SQL has moved.

// incidentColumns is the service's select list for one incident.
const incidentColumns = `rat.id, rat.alert_name, rat.alert_fingerprint, rat.action_id,
rr.namespace, rat.cluster_name, rat.environment, rr.kind, rr.name, rat.execution_status,
rat.alert_severity, rat.action_type, rat.action_timestamp, rat.execution_end_time,
rat.execution_duration_ms, rat.execution_error, rat.action_parameters::text AS metadata,
rat.created_at, rat.updated_at`

// joinedTables is the three-table join every read starts from.
const joinedTables = `resource_action_traces AS rat JOIN action_histories AS ah ON ah.id = rat.action_history_id JOIN resource_references AS rr ON rr.id = ah.resource_id`

const listOrder = "rat.action_timestamp DESC, rat.id DESC"

// filter is a list/search/aggregation filter (docs/api.md §3.1), values canonical (sorted,
// deduplicated) as the service's app layer makes them.
type filter struct {
	Namespaces, ClusterNames, Environments, ActionTypes, Severities, Statuses []string
	Names, Fingerprints, RemediationIDs, TargetKinds, TargetNames             []string
	Phases                                                                    []string
	Since, Until                                                              *time.Time
}

// stmt accumulates SQL text and its $n arguments.
type stmt struct {
	args []any
}

func (s *stmt) arg(v any) string {
	s.args = append(s.args, v)
	return "$" + strconv.Itoa(len(s.args))
}

// in renders "= $n" for one value and "IN ($n,$m)" for several, as GORM does.
func (s *stmt) in(values []string) string {
	if len(values) == 1 {
		return "= " + s.arg(values[0])
	}
	return "IN " + s.list(values)
}

func (s *stmt) list(values []string) string {
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = s.arg(v)
	}
	return "(" + strings.Join(ph, ",") + ")"
}

// conditions renders the filter's WHERE conditions in the service's order.
func (s *stmt) conditions(f filter) []string {
	var out []string
	add := func(col string, values []string) {
		if len(values) > 0 {
			out = append(out, col+" "+s.in(values))
		}
	}
	add("rr.namespace", f.Namespaces)
	add("rat.cluster_name", f.ClusterNames)
	add("rat.environment", f.Environments)
	add("rat.action_type", f.ActionTypes)
	add("rat.alert_severity", f.Severities)
	add("rat.execution_status", f.Statuses)
	add("rat.alert_name", f.Names)
	add("rat.alert_fingerprint", f.Fingerprints)
	add("rat.action_id", f.RemediationIDs)
	add("lower(rr.kind)", f.TargetKinds)
	add("rr.name", f.TargetNames)
	if len(f.Phases) > 0 {
		out = append(out, s.phases(f.Phases))
	}
	if f.Since != nil {
		out = append(out, "rat.action_timestamp >= "+s.arg(*f.Since))
	}
	if f.Until != nil {
		out = append(out, "rat.action_timestamp < "+s.arg(*f.Until))
	}
	return out
}

// knownStatuses have a phase of their own; every other status, and NULL, is pending.
var knownStatuses = []string{"completed", "failed", "rolled-back", "executing"}

var statusesOfPhase = map[string][]string{
	"completed": {"completed"}, "failed": {"failed", "rolled-back"}, "processing": {"executing"},
}

func (s *stmt) phases(phases []string) string {
	var statuses []string
	pending := false
	for _, p := range phases {
		if p == "pending" {
			pending = true
			continue
		}
		statuses = append(statuses, statusesOfPhase[p]...)
	}
	switch {
	case pending && len(statuses) > 0:
		in := s.list(statuses)
		return "((rat.execution_status IN " + in + " OR rat.execution_status IS NULL OR rat.execution_status NOT IN " + s.list(knownStatuses) + "))"
	case pending:
		return "((rat.execution_status IS NULL OR rat.execution_status NOT IN " + s.list(knownStatuses) + "))"
	}
	return "rat.execution_status IN " + s.list(statuses)
}

func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// position is a keyset position in list order.
type position struct {
	Time time.Time
	ID   int64
}

// listSQL is the service's page statement: limit+1 rows tell whether a page follows.
func listSQL(f filter, after *position, limit, offset int) (string, []any) {
	var s stmt
	conds := s.conditions(f)
	if after != nil {
		conds = append(conds, "rat.action_timestamp <= "+s.arg(after.Time)+" AND (rat.action_timestamp, rat.id) < ("+s.arg(after.Time)+", "+s.arg(after.ID)+")")
	}
	sql := "SELECT " + incidentColumns + " FROM " + joinedTables + where(conds) + " ORDER BY " + listOrder + " LIMIT " + s.arg(limit+1)
	if offset > 0 {
		sql += " OFFSET " + s.arg(offset)
	}
	return sql, s.args
}

// tracesTable is the base of counts and aggregations that read nothing of the object
// (the foreign keys make the join change no result).
const tracesTable = "resource_action_traces AS rat"

// baseFor is the service's smallest base that evaluates f (object: the statement also
// selects or groups by the object's columns).
func baseFor(f filter, object bool) string {
	if object || len(f.Namespaces) > 0 || len(f.TargetKinds) > 0 || len(f.TargetNames) > 0 {
		return joinedTables
	}
	return tracesTable
}

// estimateThreshold is the service's: above this many estimated matches the total is
// the planner's estimate (flagged), below it an exact count.
const estimateThreshold = 5_000

// countSQL is the service's exact total: the page's WHERE without order or limit.
func countSQL(f filter) (string, []any) {
	var s stmt
	return "SELECT count(*) FROM " + baseFor(f, false) + where(s.conditions(f)), s.args
}

// tableSizeSQL is the service's table size: the partitions' row counts as of their
// last ANALYZE, never-analysed ones counting as large.
const tableSizeSQL = `SELECT COALESCE(SUM(CASE WHEN c.reltuples < 0 THEN 1e9 ELSE c.reltuples END), 0)::bigint,
		COALESCE(bool_and(c.reltuples >= 0), false)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = to_regclass('resource_action_traces')`

// estimateSQL asks the planner how many rows the count would read, as the service does.
func estimateSQL(f filter) (string, []any) {
	var s stmt
	return "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + baseFor(f, false) + where(s.conditions(f)), s.args
}

// getSQL reads one incident, the newest should a copy of its id exist.
func getSQL(id int64) (string, []any) {
	var s stmt
	return "SELECT " + incidentColumns + " FROM " + joinedTables + " WHERE rat.id = " + s.arg(id) +
		" ORDER BY " + listOrder + " LIMIT " + s.arg(1), s.args
}

// searchSQL is the service's vector search: by the HNSW index, or exact (the distance
// as an expression no index matches, so every filtered row is compared).
func searchSQL(vec string, f filter, threshold float64, limit int, exact bool) (string, []any) {
	var s stmt
	sel := "SELECT " + incidentColumns + ", rat.embedding <=> " + s.arg(vec) + " AS distance FROM " + joinedTables
	conds := []string{"rat.embedding IS NOT NULL", "rat.embedding <=> " + s.arg(vec) + " <= " + s.arg(1-threshold)}
	conds = append(conds, s.conditions(f)...)
	order := "rat.embedding <=> " + s.arg(vec)
	if exact {
		order = "(" + order + ") + 0"
	}
	return sel + where(conds) + " ORDER BY " + order + " LIMIT " + s.arg(limit), s.args
}

// dimensions are the service's grouping expressions and aliases.
var dimensions = map[string][2]string{
	"action_type": {"rat.action_type", "action_type"},
	"status":      {"rat.execution_status", "status"},
	"namespace":   {"rr.namespace", "namespace"},
	"severity":    {"rat.alert_severity", "severity"},
	"day":         {"date_trunc('day', rat.action_timestamp AT TIME ZONE 'UTC')", "day"},
}

// aggregateSQL counts the filtered join per group, as the service does.
func aggregateSQL(f filter, dims ...string) (string, []any) {
	var s stmt
	var sel, groups []string
	object := false
	for _, d := range dims {
		object = object || d == "namespace"
		sel = append(sel, dimensions[d][0]+" AS "+dimensions[d][1])
		groups = append(groups, dimensions[d][1])
	}
	sel = append(sel, "COUNT(*) AS count", "COALESCE(SUM(rat.execution_duration_ms), 0) AS duration_sum_ms",
		"COUNT(rat.execution_duration_ms) AS duration_count")
	sql := "SELECT " + strings.Join(sel, ", ") + " FROM " + baseFor(f, object) + where(s.conditions(f))
	switch len(groups) {
	case 0:
	case 1: // GORM quotes a lone column name
		sql += ` GROUP BY "` + groups[0] + `"`
	default:
		sql += " GROUP BY " + strings.Join(groups, ", ")
	}
	return sql, s.args
}

// b2ListSQL is the PostgREST-style statement: PostgreSQL builds the whole answer (page
// and total) as JSON in one statement, as PostgREST's json_agg over a CTE does.
func b2ListSQL(f filter, limit, offset int) (string, []any) {
	var s stmt
	w := where(s.conditions(f))
	lim, off := s.arg(limit), s.arg(offset)
	return `WITH pgrst_source AS (SELECT ` + incidentColumns + ` FROM ` + joinedTables + w +
		` ORDER BY ` + listOrder + ` LIMIT ` + lim + `::bigint OFFSET ` + off + `::bigint)
SELECT json_build_object(
 'incidents', COALESCE(json_agg(json_build_object(
  'id', t.id, 'name', t.alert_name, 'alert_fingerprint', t.alert_fingerprint,
  'remediation_request_id', t.action_id, 'namespace', t.namespace, 'cluster_name', t.cluster_name,
  'environment', t.environment, 'target_resource', t.kind, 'target_name', t.name,
  'phase', CASE t.execution_status WHEN 'completed' THEN 'completed' WHEN 'failed' THEN 'failed'
   WHEN 'rolled-back' THEN 'failed' WHEN 'executing' THEN 'processing' ELSE 'pending' END,
  'status', t.execution_status, 'severity', t.alert_severity, 'action_type', t.action_type,
  'start_time', t.action_timestamp, 'end_time', t.execution_end_time, 'duration', t.execution_duration_ms,
  'error_message', t.execution_error, 'metadata', t.metadata::json,
  'created_at', t.created_at, 'updated_at', t.updated_at)
  ORDER BY t.action_timestamp DESC, t.id DESC), '[]'::json),
 'total', (SELECT count(*) FROM ` + joinedTables + w + `),
 'limit', ` + lim + `::bigint, 'offset', ` + off + `::bigint, 'next_cursor', NULL, 'total_is_estimate', false)::text
FROM pgrst_source t`, s.args
}

// goldenDir holds the service's SQL golden files, relative to the module root.
const goldenDir = "internal/adapters/postgres/testdata/sql"

// checkSQLDrift renders B1's statements for the inputs of the service's golden files
// (internal/adapters/postgres/sqlshape_test.go) and returns a warning per difference.
func checkSQLDrift(root string) []string {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	t1 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	full := filter{
		Namespaces: []string{"x"}, ClusterNames: []string{"a", "b"}, Environments: []string{"production"},
		ActionTypes: []string{"restart_pod"}, Severities: []string{"critical"}, Statuses: []string{"failed"},
		Names: []string{"HighMemoryUsage"}, Fingerprints: []string{"fp"}, RemediationIDs: []string{"rr"},
		TargetKinds: []string{"deployment"}, TargetNames: []string{"api"}, Since: &t0, Until: &t1,
	}
	count, _ := countSQL(full)
	tracesOnly, _ := countSQL(filter{Severities: []string{"critical"}, Since: &t0})
	cases := map[string]string{
		"list_default":         first(listSQL(filter{}, nil, 10, 0)),
		"list_every_filter":    first(listSQL(full, nil, 50, 10)),
		"list_phases":          first(listSQL(filter{Namespaces: []string{"prod"}, Phases: []string{"pending", "failed"}}, nil, 10, 0)),
		"list_phase_completed": first(listSQL(filter{Phases: []string{"completed"}}, nil, 10, 0)),
		// The golden count selects COUNT(*) explicitly; GORM's Count sends count(*).
		"count_every_filter": strings.Replace(count, "SELECT count(*)", "SELECT COUNT(*)", 1),
		"count_traces_only":  strings.Replace(tracesOnly, "SELECT count(*)", "SELECT COUNT(*)", 1),
	}
	var warnings []string
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(root, goldenDir, name+".golden")) // #nosec G304 -- the module's golden files, by fixed names
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("SQL drift check: %s.golden unreadable (%v)", name, err))
			continue
		}
		golden, _, _ := strings.Cut(string(b), "\n-- args:")
		if strings.TrimSpace(golden) != strings.TrimSpace(cases[name]) {
			warnings = append(warnings, fmt.Sprintf("SQL drift: B1's %s differs from the service's golden SQL (%s.golden): update bench/sql.go so B1 runs the same statements", name, name))
		}
	}
	return warnings
}

func first(s string, _ []any) string { return s }
