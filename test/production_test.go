package test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/adapters/postgres"
	"github.com/contextapi/contextapi/internal/dataset"
)

// started runs the binary until the test ends and returns its first log line (JSON:
// stderr is a pipe), draining the rest.
func started(t *testing.T, cmd *exec.Cmd) map[string]any {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	logs := bufio.NewScanner(stderr)
	require.True(t, logs.Scan(), "a first log line")
	var first map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &first), "%s", logs.Text())
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	return first
}

// getJSON fetches url; status 0 when nothing answers yet.
func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// TestDemoDataOnlyWhenAskedForInKubernetes: in a pod (KUBERNETES_SERVICE_HOST set),
// a missing or misspelt database setting stops start-up instead of serving invented
// incidents; --demo serves them on purpose.
func TestDemoDataOnlyWhenAskedForInKubernetes(t *testing.T) {
	bin := buildBinary(t)
	pod := append(cleanEnv(), "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443")

	cmd := exec.Command(bin, "serve", "--addr", freePort(t))
	cmd.Env = append(pod, "CONTEXTAPI_DATABASE_ULR=postgres://u@db/x")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, string(out), "KUBERNETES_SERVICE_HOST")
	assert.Contains(t, string(out), "--demo")
	assert.Contains(t, string(out), "CONTEXTAPI_DATABASE_ULR", "the likely typo is named")

	addr := freePort(t)
	cmd = exec.Command(bin, "serve", "--demo", "--addr", addr, "--drain-delay", "0s")
	cmd.Env = pod
	first := started(t, cmd)
	assert.Equal(t, "demo", first["store"])
	assert.Contains(t, first["msg"], "demo mode asked for")
	require.Eventually(t, func() bool { code, _ := getJSON(t, "http://"+addr+"/health/ready"); return code == http.StatusOK },
		10*time.Second, 50*time.Millisecond)
	_, health := getJSON(t, "http://"+addr+"/health")
	assert.Equal(t, map[string]any{"status": "healthy", "store": "demo"}, health)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
}

// TestServeWithLibpqVariablesThroughPgBouncer runs the binary as a pod beside Data
// Storage would: no URL, the PG* variables and a password file (a mounted Secret),
// PgBouncer in transaction pooling mode in front of PostgreSQL, /metrics on a port of
// its own.
func TestServeWithLibpqVariablesThroughPgBouncer(t *testing.T) {
	pg.Require(t)
	now := time.Now().UTC()
	dsn := pg.NewDatabase(t)
	require.NoError(t, postgres.Load(t.Context(), dsn, postgres.Events(dataset.Demo(now)), postgres.LoadOptions{}))
	pooled, err := url.Parse(pg.ThroughPooler(t, dsn))
	require.NoError(t, err)
	password, _ := pooled.User.Password()
	secret := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(secret, []byte(password+"\n"), 0o600))

	bin := buildBinary(t)
	addr, metricsAddr := freePort(t), freePort(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--metrics-addr", metricsAddr, "--drain-delay", "0s")
	cmd.Env = append(cleanEnv(), "KUBERNETES_SERVICE_HOST=10.96.0.1",
		"PGHOST="+pooled.Hostname(), "PGPORT="+pooled.Port(), "PGDATABASE="+strings.TrimPrefix(pooled.Path, "/"),
		"PGUSER="+pooled.User.Username(), "PGSSLMODE=disable", "CONTEXTAPI_DATABASE_PASSWORD_FILE="+secret)
	first := started(t, cmd)
	assert.Equal(t, "postgresql", first["store"])
	assert.Contains(t, first["msg"], "PGHOST, PGPORT, PGDATABASE, PGUSER")
	assert.Equal(t, metricsAddr, first["metrics_addr"])

	api := "http://" + addr
	require.Eventually(t, func() bool { code, _ := getJSON(t, api+"/health/ready"); return code == http.StatusOK },
		10*time.Second, 50*time.Millisecond)
	code, page := getJSON(t, api+"/api/v1/incidents?namespace=checkout&limit=3")
	require.Equal(t, http.StatusOK, code, "%v", page)
	assert.EqualValues(t, 63, page["total"])
	code, _ = getJSON(t, api+"/api/v1/aggregations/severity")
	assert.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { _, h := getJSON(t, api+"/health"); return h["database"] == "up" },
		5*time.Second, 50*time.Millisecond)

	resp, err := http.Get(api + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the API port no longer serves /metrics")
	resp, err = http.Get("http://" + metricsAddr + "/metrics")
	require.NoError(t, err)
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(text), "contextapi_database_up 1")
	assert.Contains(t, string(text), `contextapi_db_queries_total{op="list"}`)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
}
