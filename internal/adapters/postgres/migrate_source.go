package postgres

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"
)

// tracesTable is the table whose indexes the runner builds concurrently, per partition.
const tracesTable = "resource_action_traces"

// migrationFile is one file of migrations/, read the way goose reads it, its statements
// sorted into what the runner does with them.
type migrationFile struct {
	version  int64
	name     string // e.g. 000005_trace_timeline_index.sql
	up, down []action
}

// action is a unit of work of a migration: statements run in one transaction (tx), or
// one index on the traces table to build (ensure) or to rebuild under its name (rebuild).
type action struct {
	tx    []string
	index *indexDef
	// rebuild: the file drops the index and creates it again; the runner builds the new
	// one beside the old and swaps them, or does nothing when the options already match.
	rebuild bool
}

// indexDef is a CREATE INDEX of the traces table, as written in a migration.
type indexDef struct {
	name    string
	unique  bool
	def     string   // what follows the table name: USING ..., columns, INCLUDE, WITH, WHERE
	options []string // the WITH storage parameters, normalised as pg_class.reloptions ("m=16")
}

var (
	createIndexRE = regexp.MustCompile(`(?is)^CREATE\s+(UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(IF\s+NOT\s+EXISTS\s+)?` +
		`([a-z_][a-z0-9_]*)\s+ON\s+(ONLY\s+)?` + tracesTable + `\s+(.+)$`)
	onTracesRE = regexp.MustCompile(`(?is)^CREATE\s+(UNIQUE\s+)?INDEX\b.*\bON\s+(ONLY\s+)?("?public"?\.)?"?` +
		tracesTable + `"?(\s|\(|$)`)
	dropIndexRE = regexp.MustCompile(`(?is)^DROP\s+INDEX\s+IF\s+EXISTS\s+([a-z_][a-z0-9_]*)$`)
	withRE      = regexp.MustCompile(`(?is)\bWITH\s*\(([^)]*)\)`)
)

// readMigrations reads every NNNNNN_name.sql of fsys, in version order.
func readMigrations(fsys fs.FS) ([]migrationFile, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	files := make([]migrationFile, 0, len(names))
	for _, name := range names {
		version, err := goose.NumericComponent(name)
		if err != nil {
			return nil, fmt.Errorf("postgres: migration %s: %w", name, err)
		}
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f := migrationFile{version: version, name: path.Base(name)}
		if f.up, f.down, err = parseMigration(string(text)); err != nil {
			return nil, fmt.Errorf("postgres: migration %s: %w", name, err)
		}
		files = append(files, f)
	}
	slices.SortFunc(files, func(a, b migrationFile) int { return int(a.version - b.version) })
	return files, nil
}

// parseMigration splits a goose SQL file into its Up and Down statements, by goose's
// rules (a statement ends on a line ending in ';', or spans StatementBegin to
// StatementEnd; comment lines between statements are dropped), then into actions.
func parseMigration(text string) (up, down []action, err error) {
	var upSQL, downSQL []string
	var section *[]string // the section being read; nil before '-- +goose Up'
	inBlock := false
	var buf strings.Builder
	scanner := bufio.NewScanner(strings.NewReader(text))
	scanner.Buffer(nil, 4<<20)
	for scanner.Scan() {
		line := scanner.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") && strings.Contains(line, "+goose") {
			switch cmd := strings.Join(strings.Fields(strings.TrimPrefix(trimmed, "--")), " "); strings.ToLower(cmd) {
			case "+goose up":
				section = &upSQL
			case "+goose down":
				section = &downSQL
			case "+goose statementbegin":
				inBlock = true
			case "+goose statementend":
				if section == nil {
					return nil, nil, fmt.Errorf("a StatementEnd before '-- +goose Up'")
				}
				inBlock = false
				*section = append(*section, strings.TrimSpace(buf.String()))
				buf.Reset()
			default:
				return nil, nil, fmt.Errorf("annotation %q is not supported here", cmd)
			}
			continue
		}
		if section == nil || (buf.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "--"))) {
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		if !inBlock && endsStatement(line) {
			*section = append(*section, strings.TrimSpace(buf.String()))
			buf.Reset()
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, nil, err
	}
	if section == nil || inBlock || strings.TrimSpace(buf.String()) != "" {
		return nil, nil, fmt.Errorf("no '-- +goose Up', a StatementBegin without its End, or a statement without its ';'")
	}
	if up, err = actions(upSQL); err != nil {
		return nil, nil, err
	}
	down, err = actions(downSQL)
	return up, down, err
}

// endsStatement is goose's test: the last word before any "--" comment ends in ';'.
func endsStatement(line string) bool {
	last := ""
	for _, w := range strings.Fields(line) {
		if strings.HasPrefix(w, "--") {
			break
		}
		last = w
	}
	return strings.HasSuffix(last, ";")
}

// actions groups statements: consecutive ordinary ones share a transaction; each
// CREATE INDEX of the traces table is an action of its own, and so is a
// DROP INDEX IF EXISTS x directly followed by the CREATE INDEX x it makes way for.
func actions(stmts []string) ([]action, error) {
	var out []action
	var tx []string
	flush := func() {
		if len(tx) > 0 {
			out = append(out, action{tx: tx})
			tx = nil
		}
	}
	for i := 0; i < len(stmts); i++ {
		if m := dropIndexRE.FindStringSubmatch(strings.TrimSuffix(oneLine(stmts[i]), ";")); m != nil && i+1 < len(stmts) {
			if d, ifNotExists, err := parseIndex(stmts[i+1]); err != nil {
				return nil, err
			} else if d != nil && d.name == m[1] && !ifNotExists {
				flush()
				out = append(out, action{index: d, rebuild: true})
				i++
				continue
			}
		}
		d, ifNotExists, err := parseIndex(stmts[i])
		switch {
		case err != nil:
			return nil, err
		case d == nil:
			tx = append(tx, stmts[i])
		case !ifNotExists:
			return nil, fmt.Errorf("%s: CREATE INDEX of %s needs IF NOT EXISTS "+
				"(or a DROP INDEX IF EXISTS %s just before it, to rebuild it)", d.name, tracesTable, d.name)
		default:
			flush()
			out = append(out, action{index: d})
		}
	}
	flush()
	return out, nil
}

// parseIndex recognises a CREATE INDEX of the traces table; nil for any other statement.
func parseIndex(stmt string) (*indexDef, bool, error) {
	s := strings.TrimSuffix(oneLine(stmt), ";")
	m := createIndexRE.FindStringSubmatch(s)
	if m == nil {
		if onTracesRE.MatchString(s) {
			return nil, false, fmt.Errorf("cannot read %q: write it as CREATE INDEX IF NOT EXISTS <name> ON %s <definition>", s, tracesTable)
		}
		return nil, false, nil
	}
	if m[2] != "" || m[5] != "" {
		return nil, false, fmt.Errorf("%s: leave CONCURRENTLY and ONLY out: "+
			"the runner builds each partition's index concurrently", m[4])
	}
	d := &indexDef{name: m[4], unique: m[1] != "", def: strings.TrimSpace(m[6])}
	if w := withRE.FindStringSubmatch(d.def); w != nil {
		for _, kv := range strings.Split(w[1], ",") {
			k, v, _ := strings.Cut(kv, "=")
			d.options = append(d.options, strings.ToLower(strings.TrimSpace(k))+"="+strings.Trim(strings.TrimSpace(v), `'"`))
		}
		slices.Sort(d.options)
	}
	return d, m[3] != "", nil
}

// oneLine drops "--" comments (outside quoted strings) and folds whitespace.
func oneLine(stmt string) string {
	var b strings.Builder
	for _, line := range strings.Split(stmt, "\n") {
		quoted := false
		for i := 0; i < len(line); i++ {
			if line[i] == '\'' {
				quoted = !quoted
			}
			if !quoted && strings.HasPrefix(line[i:], "--") {
				line = line[:i]
				break
			}
		}
		b.WriteString(line)
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
