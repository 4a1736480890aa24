package test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildBinary compiles cmd/contextapi once per test, or returns the binary that
// CONTEXTAPI_TEST_BINARY names: how a fault's test is shown to fail on an older build.
func buildBinary(t *testing.T) string {
	t.Helper()
	if prebuilt := os.Getenv("CONTEXTAPI_TEST_BINARY"); prebuilt != "" {
		return prebuilt
	}
	bin := filepath.Join(t.TempDir(), "contextapi")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/contextapi").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// cleanEnv is the environment without any database, contextapi or Kubernetes setting,
// as a newcomer's shell would be.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CONTEXTAPI_") || strings.HasPrefix(kv, "DATABASE_URL=") ||
			strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "KUBERNETES_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestServeDemoThenShutDownOnSIGTERM runs the binary as the README does: no database,
// the demo data, then SIGTERM: readiness 503 at once, exit 0.
func TestServeDemoThenShutDownOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--drain-delay", "1s") // stderr is a pipe: JSON logs
	cmd.Env = cleanEnv()
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	logs := bufio.NewScanner(stderr)
	require.True(t, logs.Scan(), "a first log line")
	var first map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &first), "%s", logs.Text())
	assert.Contains(t, first["msg"], "built-in demo data")
	assert.Contains(t, first["msg"], "no database configured")
	assert.Equal(t, "demo", first["store"], "the first log line names the store")
	go func() { // keep draining the pipe so the server never blocks on logging
		for logs.Scan() {
		}
	}()

	base := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/health/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)

	resp, err := http.Get(base + "/api/v1/incidents?limit=1")
	require.NoError(t, err)
	var page map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Greater(t, page["total"], float64(100), "the demo data set is served")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/health/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	}, 500*time.Millisecond, 20*time.Millisecond, "readiness turns 503 as soon as shutdown begins")

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "exit status 0")
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit after SIGTERM")
	}
}

func TestInvalidConfigurationStopsStartUp(t *testing.T) {
	bin := buildBinary(t)
	for _, tc := range []struct{ args, env []string }{
		{args: []string{"serve", "--addr", "not-an-address"}},
		{args: []string{"serve"}, env: []string{"CONTEXTAPI_CACHE_TTL=1m", "CONTEXTAPI_LOG_LEVEL=chatty"}},
		{args: []string{"serve", "--database-url", "postgres://u:hunter2@[::1"}},
	} {
		t.Run(strings.Join(append(tc.args, tc.env...), " "), func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(cleanEnv(), tc.env...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "%s", out)
			assert.Equal(t, 2, exit.ExitCode(), "%s", out)
			assert.Contains(t, string(out), "invalid configuration:")
			assert.NotContains(t, string(out), "hunter2")
		})
	}
}

// TestMigrateSeedServeOnPostgres walks the README's database mode with the binary.
func TestMigrateSeedServeOnPostgres(t *testing.T) {
	pg.Require(t)
	name := pg.NewName()
	require.NoError(t, pg.Exec(t.Context(), "CREATE DATABASE "+name))
	t.Cleanup(func() { _ = pg.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	dsn := pg.URL(name)
	bin := buildBinary(t)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(cleanEnv(), "CONTEXTAPI_DATABASE_URL="+dsn)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("migrate")
	require.NoError(t, err, out)
	assert.Contains(t, out, "applied 000004_embedding_column_and_hnsw_index.sql")
	out, err = run("migrate")
	require.NoError(t, err, out)
	assert.Contains(t, out, "schema is up to date")

	out, err = run("seed", "--dataset", "demo")
	require.NoError(t, err, out)
	assert.Regexp(t, `loaded \d+ traces \(demo data set\)`, out)
	out, err = run("seed", "--dataset", "demo")
	require.Error(t, err, "seed refuses non-empty tables")
	assert.Contains(t, out, "--replace")
	out, err = run("seed", "--dataset", "synthetic", "--rows", "500", "--seed", "7", "--replace")
	require.NoError(t, err, out)
	assert.Contains(t, out, "loaded 500 traces")

	addr := freePort(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--drain-delay", "0s")
	cmd.Env = append(cleanEnv(), "DATABASE_URL="+dsn)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var page map[string]any
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/api/v1/incidents?limit=2")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&page) == nil
	}, 10*time.Second, 50*time.Millisecond)
	assert.EqualValues(t, 500, page["total"])
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.NoError(t, cmd.Wait())
}
