package test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorsAreNeverComparedAsStrings holds errorlint's rule where errorlint does not
// look: an error is recognised with errors.Is or errors.As, never by comparing its
// message, which any wrapping or library upgrade changes silently. Messages may still be
// asserted on in tests with Contains, which says what a human reads.
func TestErrorsAreNeverComparedAsStrings(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	isErrorCall := func(e ast.Expr) bool {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "Error"
	}
	files := 0
	for _, file := range repoFiles(t, root) {
		if !strings.HasSuffix(file, ".go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, filepath.Join(root, file), nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isErrorCall(n.X) || isErrorCall(n.Y)) {
					assert.Fail(t, "error compared as a string", "%s: use errors.Is or errors.As", fset.Position(n.Pos()))
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && isErrorCall(n.Tag) {
					assert.Fail(t, "error compared as a string", "%s: switch on an error's message", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
	assert.Greater(t, files, 100)
}
