package test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/contextapi/contextapi"

// packageImports maps each package directory (relative to the module root) to the
// imports of its non-test files.
func packageImports(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	out := map[string][]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			out[rel] = append(out[rel], strings.Trim(imp.Path.Value, `"`))
		}
		if _, ok := out[rel]; !ok {
			out[rel] = nil
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func isStdlib(path string) bool { return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") }

// TestImportsPointInward enforces docs/design.md, "Layers": domain ← ports ← app ← adapters ← root.
func TestImportsPointInward(t *testing.T) {
	internal := func(p string) string { return module + "/internal/" + p }
	// allowed lists, per package prefix, the module-internal packages it may import.
	allowed := map[string][]string{
		"internal/domain":         {},
		"internal/ports":          {internal("domain")},
		"internal/ports/porttest": {internal("domain"), internal("ports")},
		"internal/app":            {internal("domain"), internal("ports")},
		// Scenarios of the use cases every repository is held to, like porttest one level up.
		"internal/app/apptest":       {internal("domain"), internal("ports"), internal("app")},
		"internal/dataset":           {internal("domain"), internal("dataset/vec")},
		"internal/dataset/synthetic": {internal("domain"), internal("dataset/vec")},
		"internal/dataset/vec":       {},
		// promreg and flight are helpers the adapters share (metric registration, work
		// coalesced per key); they import nothing of the module.
		"internal/adapters/": {internal("domain"), internal("ports"), internal("app"), internal("promreg"), internal("flight"), internal("logjson"), internal("problem")},
		// The domain's error kinds as problem titles and details, shared by the HTTP and
		// MCP adapters so both describe a failure alike.
		"internal/problem": {internal("domain")},
		// The MCP adapter also serves `contextapi mcp`, whose tools ask a running service
		// through the public client (stdlib only).
		"internal/adapters/mcp": {internal("domain"), internal("ports"), internal("app"), internal("problem"), module + "/client"},
		"internal/promreg":      {},
		"internal/flight":       {},
		// The batching writer under the process's log (cmd) and its JSON handler, which the
		// HTTP adapter's request line uses directly; they import nothing of the module.
		"internal/logbuffer": {},
		"internal/logjson":   {},
		// The PostgreSQL adapter applies the project's migrations.
		"internal/adapters/postgres": {internal("domain"), internal("ports"), internal("app"), internal("promreg"), module + "/migrations"},
		// The Redis adapter implements the cache's shared tier (cache.Shared), a port the
		// cache owns because only the cache uses it.
		"internal/adapters/redis": {internal("domain"), internal("ports"), internal("adapters/cache")},
		"migrations":              {},
	}
	pkgs := packageImports(t)
	require.Contains(t, pkgs, "internal/domain")
	for dir, imports := range pkgs {
		rule, ok := ruleFor(allowed, dir)
		if !ok {
			continue // the root and cmd may import anything
		}
		for _, imp := range imports {
			if !strings.HasPrefix(imp, module) {
				if dir == "internal/domain" {
					assert.True(t, isStdlib(imp), "%s imports %s: the domain uses the standard library only", dir, imp)
				}
				continue
			}
			assert.True(t, importAllowed(rule, imp), "%s must not import %s", dir, imp)
		}
	}
}

func ruleFor(allowed map[string][]string, dir string) ([]string, bool) {
	if rule, ok := allowed[dir]; ok {
		return rule, true
	}
	if strings.HasPrefix(dir, "internal/adapters/") {
		return allowed["internal/adapters/"], true
	}
	return nil, false
}

func importAllowed(rule []string, imp string) bool {
	for _, a := range rule {
		// Test-support packages (porttest, apptest) are for tests only, never a
		// production import, so a rule on their parent does not admit them.
		if imp == a || strings.HasPrefix(imp, a+"/") && !strings.Contains(imp, "/porttest") && !strings.Contains(imp, "/apptest") {
			return true
		}
	}
	return false
}

// TestFrameworksStayInTheirAdapter keeps each framework replaceable in one place.
func TestFrameworksStayInTheirAdapter(t *testing.T) {
	owners := map[string]string{
		"github.com/labstack/echo":       "internal/adapters/httpapi",
		"gorm.io/":                       "internal/adapters/postgres",
		"github.com/dgraph-io/ristretto": "internal/adapters/cache",
		"github.com/redis/go-redis":      "internal/adapters/redis",
		"github.com/google/wire":         ".",
		// The MCP SDK serves the tools; the root and cmd hand it an http.Handler or stdio.
		"github.com/modelcontextprotocol/go-sdk": "internal/adapters/mcp",
	}
	for dir, imports := range packageImports(t) {
		for _, imp := range imports {
			for prefix, owner := range owners {
				if strings.HasPrefix(imp, prefix) {
					assert.True(t, dir == owner || strings.HasPrefix(dir, owner+"/"),
						"%s imports %s, which belongs in %s only", dir, imp, owner)
				}
			}
		}
	}
}
