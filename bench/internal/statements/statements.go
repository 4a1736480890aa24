// Package statements renders the SQL the service sends, for baseline B1 (which must send
// the same statements for P2 to compare like with like) and for the bench's own reads.
//
// What the PostgreSQL adapter's SQL golden files show is read from them at run time
// (Load): the incident select list, the three-table join, the traces-only base of counts,
// the list order, every filter's condition in the service's order, and the keyset
// condition of cursor pages. Where no golden file shows a statement, its shape here is a
// copy of what the service sends (taken from pg_stat_activity), marked "copy" below:
// get-by-id, vector search, aggregations, the planner's estimate, the table's size, the
// conditions of phases, and the count's select list. Drift renders every statement a
// golden file shows and compares the text; the agreement check of each run compares the
// statements each side sent by op, which covers the copies.
package statements

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Filter is a list, search or aggregation filter (docs/api.md §3.1), its values canonical
// (sorted, deduplicated) as the service's app layer makes them.
type Filter struct {
	Namespaces, ClusterNames, Environments, ActionTypes, Severities, Statuses []string
	Names, Fingerprints, RemediationIDs, TargetKinds, TargetNames             []string
	Phases                                                                    []string
	Since, Until                                                              *time.Time
}

// Position is a keyset position in list order.
type Position struct {
	Time time.Time
	ID   int64
}

// field is a filter field with a condition of its own in the service's WHERE clause.
type field string

const (
	fNamespaces     field = "namespace"
	fClusterNames   field = "cluster_name"
	fEnvironments   field = "environment"
	fActionTypes    field = "action_type"
	fSeverities     field = "severity"
	fStatuses       field = "status"
	fNames          field = "name"
	fFingerprints   field = "alert_fingerprint"
	fRemediationIDs field = "remediation_request_id"
	fTargetKinds    field = "target_kind"
	fTargetNames    field = "target_name"
	fSince          field = "since"
	fUntil          field = "until"
)

// values is the filter's list of values for a column field.
func (f *Filter) values(k field) []string {
	switch k {
	case fNamespaces:
		return f.Namespaces
	case fClusterNames:
		return f.ClusterNames
	case fEnvironments:
		return f.Environments
	case fActionTypes:
		return f.ActionTypes
	case fSeverities:
		return f.Severities
	case fStatuses:
		return f.Statuses
	case fNames:
		return f.Names
	case fFingerprints:
		return f.Fingerprints
	case fRemediationIDs:
		return f.RemediationIDs
	case fTargetKinds:
		return f.TargetKinds
	case fTargetNames:
		return f.TargetNames
	}
	return nil
}

// Inputs of internal/adapters/postgres/sqlshape_test.go, as its golden files print them.
var (
	goldenSince = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	goldenUntil = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	// everyFilterArgs names the field of each argument of list_every_filter.golden.
	everyFilterArgs = map[string]field{
		`"default'; DROP TABLE resource_action_tra…"`: fNamespaces,
		`"a"`: fClusterNames, `"b"`: fClusterNames, `"production"`: fEnvironments,
		`"restart_pod"`: fActionTypes, `"critical"`: fSeverities, `"failed"`: fStatuses,
		`"HighMemoryUsage"`: fNames, `"fp"`: fFingerprints, `"rr"`: fRemediationIDs,
		`"deployment"`: fTargetKinds, `"api"`: fTargetNames,
		goldenSince.Format(time.RFC3339Nano): fSince, goldenUntil.Format(time.RFC3339Nano): fUntil,
	}
)

// condition is one filter field's condition, as list_every_filter.golden shows it.
type condition struct {
	field  field
	column string   // column fields: the expression compared, = $n or IN ($n,...)
	bound  fragment // since, until: the comparison with its one placeholder
	object bool     // the expression reads the object (the joined tables), not the trace
}

// Set is the service's statements, rendered for any filter.
type Set struct {
	Columns string // the select list of one incident (list_default.golden)
	Joined  string // the three-table join every read of incidents starts from (list_default)
	Traces  string // the traces alone: counts and aggregations reading nothing of the object (count_traces_only)
	Order   string // list order, newest first, with its unique tie-breaker (list_default)

	conds  []condition // in the service's order (list_every_filter)
	byName map[field]condition
	cursor fragment // the keyset condition of a cursor page (list_cursor)
}

// Load reads the service's statements from the golden files in dir (GoldenDir under the
// module root).
func Load(dir string) (*Set, error) {
	s := &Set{byName: map[field]condition{}}
	def, err := readGolden(dir, "list_default")
	if err != nil {
		return nil, err
	}
	if s.Columns, err = def.clause("SELECT ", " FROM "); err != nil {
		return nil, err
	}
	if s.Joined, err = def.clause(" FROM ", " ORDER BY "); err != nil {
		return nil, err
	}
	if s.Order, err = def.clause(" ORDER BY ", " LIMIT "); err != nil {
		return nil, err
	}
	if strings.Contains(s.Joined, " WHERE ") {
		return nil, def.errorf("a WHERE clause without any filter")
	}
	traces, err := readGolden(dir, "count_traces_only")
	if err != nil {
		return nil, err
	}
	if s.Traces, err = traces.clause(" FROM ", " WHERE "); err != nil {
		return nil, err
	}
	traceAlias := aliasOf(s.Traces)
	if traceAlias == "" {
		return nil, traces.errorf("no alias in %q", s.Traces)
	}

	every, err := readGolden(dir, "list_every_filter")
	if err != nil {
		return nil, err
	}
	where, err := every.clause(" WHERE ", " ORDER BY ")
	if err != nil {
		return nil, err
	}
	for _, cond := range splitAnd(where) {
		m := placeholder.FindStringSubmatch(cond)
		if m == nil {
			return nil, every.errorf("condition %q has no placeholder", cond)
		}
		arg, err := every.argOf(m[1])
		if err != nil {
			return nil, err
		}
		c := condition{field: everyFilterArgs[arg]}
		switch c.field {
		case "":
			return nil, every.errorf("condition %q compares an unknown input %s", cond, arg)
		case fSince, fUntil:
			bound := func(a string) string {
				if a == arg {
					return "t"
				}
				return ""
			}
			if c.bound, err = every.parseFragment(cond, bound); err != nil {
				return nil, err
			}
			c.column = strings.TrimSpace(c.bound.text[0])
		default:
			col, _, ok := strings.Cut(cond, " = $")
			if !ok {
				col, _, ok = strings.Cut(cond, " IN (")
			}
			if !ok {
				return nil, every.errorf("condition %q is neither = $n nor IN (...)", cond)
			}
			c.column = col
		}
		for _, ref := range tableRef.FindAllStringSubmatch(c.column, -1) {
			c.object = c.object || ref[1] != traceAlias
		}
		if _, dup := s.byName[c.field]; dup {
			return nil, every.errorf("two conditions for %s", c.field)
		}
		s.byName[c.field] = c
		s.conds = append(s.conds, c)
	}
	for _, k := range slices.Sorted(maps.Values(everyFilterArgs)) {
		if _, ok := s.byName[k]; !ok {
			return nil, every.errorf("no condition for %s", k)
		}
	}

	cur, err := readGolden(dir, "list_cursor")
	if err != nil {
		return nil, err
	}
	keyset, err := cur.clause(" WHERE ", " ORDER BY ")
	if err != nil {
		return nil, err
	}
	s.cursor, err = cur.parseFragment(keyset, func(arg string) string {
		switch arg {
		case goldenSince.Format(time.RFC3339Nano):
			return "time"
		case `"42"`:
			return "id"
		}
		return ""
	})
	return s, err
}

// tableRef finds the table aliases an expression reads ("rr" in lower(rr.kind)).
var tableRef = regexp.MustCompile(`\b([a-z_]+)\.[a-z_]+`)

// aliasOf is the alias of "table AS alias".
func aliasOf(from string) string {
	_, alias, ok := strings.Cut(from, " AS ")
	if !ok || strings.ContainsAny(alias, " ,") {
		return ""
	}
	return alias
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

// conditions renders the filter's WHERE conditions in the service's order. Phases
// (copy: list_phases.golden shows them only after a namespace) come after the column
// conditions, before the time bounds, as the service's scopes add them.
func (set *Set) conditions(s *stmt, f Filter) []string {
	var out []string
	phasesDone := false
	for _, c := range set.conds {
		if (c.field == fSince || c.field == fUntil) && !phasesDone {
			phasesDone = true
			out = append(out, set.phases(s, f.Phases)...)
		}
		switch c.field {
		case fSince:
			if f.Since != nil {
				out = append(out, c.bound.render(s, map[string]any{"t": *f.Since}))
			}
		case fUntil:
			if f.Until != nil {
				out = append(out, c.bound.render(s, map[string]any{"t": *f.Until}))
			}
		default:
			if v := f.values(c.field); len(v) > 0 {
				out = append(out, c.column+" "+s.in(v))
			}
		}
	}
	if !phasesDone {
		out = append(out, set.phases(s, f.Phases)...)
	}
	return out
}

// knownStatuses have a phase of their own; every other status, and NULL, is pending.
var knownStatuses = []string{"completed", "failed", "rolled-back", "executing"}

var statusesOfPhase = map[string][]string{
	"completed": {"completed"}, "failed": {"failed", "rolled-back"}, "processing": {"executing"},
}

// KnownPhase reports whether p is a phase the service filters by.
func KnownPhase(p string) bool { return p == "pending" || statusesOfPhase[p] != nil }

// phases renders the phase condition (copy, checked against list_phases.golden and
// list_phase_completed.golden) on the status column of the golden files.
func (set *Set) phases(s *stmt, phases []string) []string {
	if len(phases) == 0 {
		return nil
	}
	col := set.byName[fStatuses].column
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
		return []string{"((" + col + " IN " + in + " OR " + col + " IS NULL OR " + col + " NOT IN " + s.list(knownStatuses) + "))"}
	case pending:
		return []string{"((" + col + " IS NULL OR " + col + " NOT IN " + s.list(knownStatuses) + "))"}
	}
	return []string{col + " IN " + s.list(statuses)}
}

func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// Where is the filter's WHERE clause (" WHERE ...", or "" for no filter), its
// arguments numbered from $1.
func (set *Set) Where(f Filter) (string, []any) {
	var s stmt
	return where(set.conditions(&s, f)), s.args
}

// List is the service's page statement: limit+1 rows tell whether a page follows.
func (set *Set) List(f Filter, after *Position, limit, offset int) (string, []any) {
	var s stmt
	conds := set.conditions(&s, f)
	if after != nil {
		conds = append(conds, set.cursor.render(&s, map[string]any{"time": after.Time, "id": after.ID}))
	}
	sql := "SELECT " + set.Columns + " FROM " + set.Joined + where(conds) + " ORDER BY " + set.Order + " LIMIT " + s.arg(limit+1)
	if offset > 0 {
		sql += " OFFSET " + s.arg(offset)
	}
	return sql, s.args
}

// base is the service's smallest FROM that evaluates f: the traces alone unless the
// statement reads the object (object) or a condition does.
func (set *Set) base(f Filter, object bool) string {
	for _, c := range set.conds {
		if c.object && len(f.values(c.field)) > 0 {
			object = true
		}
	}
	if object {
		return set.Joined
	}
	return set.Traces
}

// Count is the service's exact total: the page's WHERE without order or limit. The
// select list is a copy: GORM's Count sends count(*), the golden files' test selects
// COUNT(*) explicitly.
func (set *Set) Count(f Filter) (string, []any) {
	var s stmt
	return "SELECT count(*) FROM " + set.base(f, false) + where(set.conditions(&s, f)), s.args
}

// Estimate asks the planner how many rows the count would read (copy).
func (set *Set) Estimate(f Filter) (string, []any) {
	var s stmt
	return "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + set.base(f, false) + where(set.conditions(&s, f)), s.args
}

// TableSize is the service's table size (copy): the partitions' row counts as of their
// last ANALYZE, never-analysed ones counting as large.
const TableSize = `SELECT COALESCE(SUM(CASE WHEN c.reltuples < 0 THEN 1e9 ELSE c.reltuples END), 0)::bigint,
		COALESCE(bool_and(c.reltuples >= 0), false)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = to_regclass('resource_action_traces')`

// Get reads one incident, the newest should a copy of its id exist (the id condition
// and LIMIT are a copy).
func (set *Set) Get(id int64) (string, []any) {
	var s stmt
	return "SELECT " + set.Columns + " FROM " + set.Joined + " WHERE rat.id = " + s.arg(id) +
		" ORDER BY " + set.Order + " LIMIT " + s.arg(1), s.args
}

// Search is the service's vector search (copy around the golden files' select list,
// join and conditions): by the HNSW index, or exact (the distance as an expression no
// index matches, so every filtered row is compared).
func (set *Set) Search(vec string, f Filter, threshold float64, limit int, exact bool) (string, []any) {
	var s stmt
	sel := "SELECT " + set.Columns + ", rat.embedding <=> " + s.arg(vec) + " AS distance FROM " + set.Joined
	conds := []string{"rat.embedding IS NOT NULL", "rat.embedding <=> " + s.arg(vec) + " <= " + s.arg(1-threshold)}
	conds = append(conds, set.conditions(&s, f)...)
	filtered := len(conds) > 2
	order := "rat.embedding <=> " + s.arg(vec)
	if exact {
		order = "(" + order + ") + 0"
	}
	// The service writes an unfiltered index search's limit into the text, so that the
	// plan cache keeps one generic plan per session (search_index.golden); filtered and
	// exact searches keep the placeholder.
	if !exact && !filtered {
		return sel + where(conds) + " ORDER BY " + order + " LIMIT " + strconv.Itoa(limit), s.args
	}
	return sel + where(conds) + " ORDER BY " + order + " LIMIT " + s.arg(limit), s.args
}

// dimension is a grouping expression of the aggregations and its alias.
type dimension struct {
	field field // the filter field whose column the service groups by ("" for day)
	expr  string
}

// dimensions are the service's groupings (copy; the columns are the golden files').
var dimensions = map[string]dimension{
	"action_type": {field: fActionTypes},
	"status":      {field: fStatuses},
	"namespace":   {field: fNamespaces},
	"severity":    {field: fSeverities},
	"day":         {expr: "date_trunc('day', rat.action_timestamp AT TIME ZONE 'UTC')"},
}

// Aggregate counts the filtered rows per group, as the service does (copy around the
// golden files' bases and conditions).
func (set *Set) Aggregate(f Filter, dims ...string) (string, []any) {
	var s stmt
	var sel, groups []string
	object := false
	for _, d := range dims {
		dim, ok := dimensions[d]
		if !ok {
			panic(fmt.Sprintf("statements: unknown dimension %q", d))
		}
		expr := dim.expr
		if dim.field != "" {
			c := set.byName[dim.field]
			expr, object = c.column, object || c.object
		}
		sel = append(sel, expr+" AS "+d)
		groups = append(groups, d)
	}
	sel = append(sel, "COUNT(*) AS count", "COALESCE(SUM(rat.execution_duration_ms), 0) AS duration_sum_ms",
		"COUNT(rat.execution_duration_ms) AS duration_count")
	sql := "SELECT " + strings.Join(sel, ", ") + " FROM " + set.base(f, object) + where(set.conditions(&s, f))
	switch len(groups) {
	case 0:
	case 1: // GORM quotes a lone column name
		sql += ` GROUP BY "` + groups[0] + `"`
	default:
		sql += " GROUP BY " + strings.Join(groups, ", ")
	}
	return sql, s.args
}
