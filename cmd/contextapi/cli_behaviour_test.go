package main

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCLIColour: statuses are coloured on a terminal only, and never with NO_COLOR set to
// anything, or on a dumb terminal.
func TestCLIColour(t *testing.T) {
	srv := serveDemoAt(t, fixedNow, nil)
	args := []string{"incidents", "list", "--namespace", "checkout", "--limit", "5"}
	tests := []struct {
		name   string
		tm     screen
		env    map[string]string
		colour bool
	}{
		{name: "terminal", tm: wide, colour: true},
		{name: "NO_COLOR set", tm: wide, env: noColour},
		{name: "NO_COLOR set to anything", tm: wide, env: map[string]string{"NO_COLOR": "0"}},
		{name: "NO_COLOR empty", tm: wide, env: map[string]string{"NO_COLOR": ""}, colour: true},
		{name: "dumb terminal", tm: wide, env: map[string]string{"TERM": "dumb"}},
		{name: "a pipe", tm: pipe},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := runCLI(with(srv, tc.env), tc.tm, args...)
			require.Equal(t, 0, o.code, o.stderr)
			assert.Equal(t, tc.colour, strings.Contains(o.stdout, "\x1b[32mcompleted\x1b[0m"), o.stdout)
			if !tc.colour {
				assert.NotContains(t, o.stdout, "\x1b[")
			}
		})
	}
}

// TestCLIEveryPage: --all follows next_cursor to the end through the client's iterator.
func TestCLIEveryPage(t *testing.T) {
	srv := serveDemoAt(t, fixedNow, nil)
	o := runCLI(with(srv, nil), pipe, "incidents", "list", "--all", "--limit", "50", "-o", "json")
	require.Equal(t, 0, o.code, o.stderr)
	assert.Contains(t, o.stdout, "\n  \"total\": 355\n")
	assert.Equal(t, 355, strings.Count(o.stdout, "\n      \"remediation_request_id\""))

	o = runCLI(with(srv, nil), pipe, "incidents", "list", "--all")
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, 356, strings.Count(o.stdout, "\n"), "a header and 355 rows")
	assert.Empty(t, o.stderr, "no hint once every page is shown")
}

// TestCLIServerAndToken: --server wins over CONTEXTAPI_SERVER; --token-file wins over
// CONTEXTAPI_TOKEN; each is sent as a bearer token.
func TestCLIServerAndToken(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	srv := serveDemoAt(t, fixedNow, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Header.Get("Authorization"))
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	last := func() string {
		mu.Lock()
		defer mu.Unlock()
		return seen[len(seen)-1]
	}
	elsewhere := map[string]string{envServer: refusedURL(t)}

	o := runCLI(elsewhere, pipe, "incidents", "get", "1", "--server", srv.URL)
	require.Equal(t, 0, o.code, o.stderr)
	assert.Empty(t, last(), "no token unless given")

	o = runCLI(with(srv, map[string]string{envToken: "from-the-environment"}), pipe, "incidents", "get", "1")
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, "Bearer from-the-environment", last())

	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte("from-the-file\n"), 0o600))
	o = runCLI(with(srv, map[string]string{envToken: "from-the-environment"}), pipe, "incidents", "get", "1", "--token-file", file)
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, "Bearer from-the-file", last())

	o = runCLI(with(srv, nil), pipe, "incidents", "get", "1", "--token-file", filepath.Join(t.TempDir(), "missing"))
	assert.Equal(t, 2, o.code, "a token file that does not load is a usage error")
	o = runCLI(with(srv, nil), pipe, "incidents", "get", "1", "--server", "localhost:8080")
	assert.Equal(t, 2, o.code, "a server URL without a scheme is a usage error")
	assert.Contains(t, o.stderr, "absolute http or https URL")
}

// refusedURL is the URL of a port nothing listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// TestCLIServiceUnreachable: no service at the address is exit status 1 with a message
// naming the address and how to name another.
func TestCLIServiceUnreachable(t *testing.T) {
	url := refusedURL(t)
	o := runCLI(map[string]string{envServer: url}, pipe, "stats", "severity")
	assert.Equal(t, 1, o.code)
	assert.Empty(t, o.stdout)
	assert.Equal(t, "Error: cannot reach the contextapi service at "+url+": connection refused\n"+
		"Start one with `contextapi serve`, or name yours with --server or CONTEXTAPI_SERVER.\n", o.stderr)

	o = runCLI(nil, pipe, "stats", "severity", "--server", url)
	assert.Equal(t, 1, o.code)
	assert.Contains(t, o.stderr, url)
}

// TestCLIUnauthorized: a 401 says how to give a token.
func TestCLIUnauthorized(t *testing.T) {
	srv := serveDemoAt(t, fixedNow, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("WWW-Authenticate", "Bearer")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"type":"urn:contextapi:problem:unauthenticated","title":"Unauthorized","status":401,` +
				`"detail":"Valid credentials are required.","request_id":"` + r.Header.Get("X-Request-Id") + `"}`))
		})
	})
	o := runCLI(with(srv, nil), pipe, "stats", "severity")
	assert.Equal(t, 1, o.code)
	assert.Equal(t, "Error: Unauthorized: Valid credentials are required.\n"+
		"Give a token with --token-file or CONTEXTAPI_TOKEN.\n(HTTP 401, request id cli-test)\n", o.stderr)
}

// TestCLICompletion: cobra's completion command prints a script for each shell, and
// the stats kinds and output formats complete.
func TestCLICompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		o := runCLI(nil, pipe, "completion", shell)
		assert.Equal(t, 0, o.code, shell)
		assert.Contains(t, o.stdout, "contextapi", shell)
		assert.Greater(t, len(o.stdout), 1000, shell)
	}
	o := runCLI(nil, pipe, "__complete", "stats", "")
	require.Equal(t, 0, o.code)
	for _, kind := range []string{"success-rate", "namespaces", "severity", "trend"} {
		assert.Contains(t, o.stdout, kind+"\t")
	}
	o = runCLI(nil, pipe, "__complete", "incidents", "list", "-o", "")
	require.Equal(t, 0, o.code)
	assert.True(t, strings.HasPrefix(o.stdout, "table\njson\nyaml\n:4\n"), o.stdout)
	o = runCLI(nil, pipe, "__complete", "incidents", "")
	require.Equal(t, 0, o.code)
	assert.Contains(t, o.stdout, "similar\t")
}

// TestCLIVariablesAreNotMisspeltKeys: serve does not warn about the command line's own
// variables, but still about a misspelling of them.
func TestCLIVariablesAreNotMisspeltKeys(t *testing.T) {
	clearEnv(t)
	t.Setenv(envServer, "http://context-api:8080")
	t.Setenv(envToken, "secret")
	t.Setenv("CONTEXTAPI_SERVR", "http://context-api:8080")
	cfg, err := loadConfig(flags(t))
	require.NoError(t, err)
	assert.Equal(t, []string{"CONTEXTAPI_SERVR"}, cfg.Unrecognised)
}
