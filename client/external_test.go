package client_test

import (
	"context"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pager is a program outside this module: it pages through every incident of the
// service at os.Args[1] and prints how many there are.
const pager = `package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/contextapi/contextapi/client"
)

func main() {
	c, err := client.New(os.Args[1], client.WithUserAgent("pager-test"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := 0
	for _, err := range c.Incidents(ctx, client.ListOptions{Limit: 50}) {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		n++
	}
	fmt.Println(n)
}
`

// TestUsableFromAnotherModule builds a program in a module of its own that imports the
// client (through a replace directive pointing at this repository) and runs it against
// the service: the package is public, and needs nothing but the standard library.
func TestUsableFromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with the go command")
	}
	goCmd, err := exec.LookPath("go") // it picks the toolchain go.mod asks for, as it would for a user
	require.NoError(t, err)
	repo, err := filepath.Abs("..")
	require.NoError(t, err)
	goMod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	require.NoError(t, err)
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(goMod)
	require.NotNil(t, goLine, "go.mod's go line")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/pager\n\n"+
		"go "+string(goLine[1])+"\n\n"+
		"require github.com/contextapi/contextapi v0.0.0\n\n"+
		"replace github.com/contextapi/contextapi => "+repo+"\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(pager), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := func(name string, args ...string) string {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
		return string(out)
	}
	run(goCmd, "mod", "tidy")
	deps := run(goCmd, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	assert.ElementsMatch(t, []string{"example.com/pager", "github.com/contextapi/contextapi/client"}, strings.Fields(deps),
		"the program links the client and the standard library, none of the service's dependencies")
	binary := filepath.Join(dir, "pager")
	run(goCmd, "build", "-o", binary, ".")

	srv := serveDemo(t)
	got := strings.TrimSpace(run(binary, srv.URL))
	assert.Equal(t, strconv.Itoa(demoIncidents), got)
}

// TestImportsOnlyTheStandardLibrary holds the package to the standard library (and so
// away from the service's internal packages) in short mode too, where the build above
// is skipped.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			assert.NotContains(t, strings.SplitN(path, "/", 2)[0], ".", "%s imports %s", file, path)
		}
		checked++
	}
	assert.GreaterOrEqual(t, checked, 10)
}
