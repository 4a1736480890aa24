package statements

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// GoldenDir holds the PostgreSQL adapter's SQL golden files, relative to the module
// root. internal/adapters/postgres/sqlshape_test.go renders them from the service's own
// code (go test ./internal/adapters/postgres -run TestSQLShape -update rewrites them).
const GoldenDir = "internal/adapters/postgres/testdata/sql"

// golden is one golden file: a statement and its arguments as the adapter's test
// prints them (strings quoted, times in RFC 3339).
type golden struct {
	name string
	sql  string
	args []string
}

func readGolden(dir, name string) (golden, error) {
	b, err := os.ReadFile(filepath.Join(dir, name+".golden")) // #nosec G304 -- the module's golden files, by fixed names
	if err != nil {
		return golden{}, err
	}
	sql, args, ok := strings.Cut(string(b), "\n-- args:")
	if !ok {
		return golden{}, fmt.Errorf("%s.golden: no \"-- args:\" line", name)
	}
	g := golden{name: name, sql: strings.TrimSpace(sql)}
	rest := strings.TrimSpace(args)
	for rest != "" {
		tok := rest
		if rest[0] == '"' {
			if tok, err = strconv.QuotedPrefix(rest); err != nil {
				return golden{}, fmt.Errorf("%s.golden: arguments: %w", name, err)
			}
		} else if i := strings.IndexByte(rest, ' '); i >= 0 {
			tok = rest[:i]
		}
		g.args = append(g.args, tok)
		rest = strings.TrimSpace(rest[len(tok):])
	}
	return g, nil
}

// errorf reports a golden file the bench cannot read as a statement it knows.
func (g golden) errorf(format string, args ...any) error {
	return fmt.Errorf("%s.golden: %s (the service's SQL changed shape: update bench/internal/statements)", g.name, fmt.Sprintf(format, args...))
}

// clause is the text of sql between after and the first before that follows it
// (before "" = to the end).
func (g golden) clause(after, before string) (string, error) {
	_, rest, ok := strings.Cut(g.sql, after)
	if !ok {
		return "", g.errorf("no %q", strings.TrimSpace(after))
	}
	if before == "" {
		return rest, nil
	}
	text, _, ok := strings.Cut(rest, before)
	if !ok {
		return "", g.errorf("no %q after %q", strings.TrimSpace(before), strings.TrimSpace(after))
	}
	return text, nil
}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// argOf is the printed argument of placeholder $n.
func (g golden) argOf(n string) (string, error) {
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i > len(g.args) {
		return "", g.errorf("placeholder $%s has no argument", n)
	}
	return g.args[i-1], nil
}

// splitAnd splits a WHERE clause at its top-level ANDs (not those inside parentheses).
func splitAnd(where string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(where); i++ {
		switch where[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ' ':
			if depth == 0 && strings.HasPrefix(where[i:], " AND ") {
				out = append(out, where[start:i])
				start = i + len(" AND ")
				i = start - 1
			}
		}
	}
	return append(out, where[start:])
}

// fragment is SQL text with placeholders, each standing for one value the statement
// is rendered with: text[0] role[0] text[1] ... role[n-1] text[n].
type fragment struct {
	text  []string
	roles []string
}

// parseFragment reads sql's placeholders, naming each by role(its printed argument).
func (g golden) parseFragment(sql string, role func(arg string) string) (fragment, error) {
	var f fragment
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(sql, -1) {
		arg, err := g.argOf(sql[m[2]:m[3]])
		if err != nil {
			return f, err
		}
		r := role(arg)
		if r == "" {
			return f, g.errorf("unexpected argument %s in %q", arg, sql)
		}
		f.text = append(f.text, sql[last:m[0]])
		f.roles = append(f.roles, r)
		last = m[1]
	}
	f.text = append(f.text, sql[last:])
	return f, nil
}

// render writes the fragment with the value of each role as a new argument of s.
func (f fragment) render(s *stmt, values map[string]any) string {
	var b strings.Builder
	for i, r := range f.roles {
		b.WriteString(f.text[i])
		b.WriteString(s.arg(values[r]))
	}
	b.WriteString(f.text[len(f.text)-1])
	return b.String()
}
