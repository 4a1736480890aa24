package test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImage is the smoke test of the real container image (issue 11), under Podman: its
// configuration, no shell, the refusal to serve demo data in a pod, then migrate and seed
// as one-shot containers and serve from PostgreSQL, read-only and non-root, through the
// drain on SIGTERM.
func TestImage(t *testing.T) {
	image := smokeImage(t)

	t.Run("configuration", func(t *testing.T) {
		var inspected []struct {
			Architecture string
			Config       struct {
				User         string
				Entrypoint   []string
				Cmd          []string
				ExposedPorts map[string]struct{}
				Labels       map[string]string
			}
		}
		require.NoError(t, json.Unmarshal([]byte(podmanOK(t, "image", "inspect", image)), &inspected))
		require.Len(t, inspected, 1)
		c := inspected[0].Config
		assert.Equal(t, "65532:65532", c.User, "non-root, numeric (runAsNonRoot can check it)")
		assert.Equal(t, []string{"/usr/local/bin/contextapi"}, c.Entrypoint)
		assert.Equal(t, []string{"serve"}, c.Cmd)
		assert.Equal(t, map[string]struct{}{"8080/tcp": {}, "9090/tcp": {}}, c.ExposedPorts)
		assert.Equal(t, "Apache-2.0", c.Labels["org.opencontainers.image.licenses"])
		for _, k := range []string{"source", "version", "revision", "created", "title", "description"} {
			assert.NotEmpty(t, c.Labels["org.opencontainers.image."+k], k)
		}
	})

	t.Run("no shell", func(t *testing.T) {
		for _, entrypoint := range []string{"/bin/sh", "id"} {
			res := podman(t, slices.Concat(podmanRun, []string{"--rm", "--entrypoint", entrypoint, image, "-c", "id"})...)
			assert.NotZero(t, res.Exit, "%s ran: %s", entrypoint, res.Output())
		}
	})

	t.Run("no demo data in a pod", func(t *testing.T) {
		res := podman(t, slices.Concat(podmanRun, []string{"--rm", "-e", "KUBERNETES_SERVICE_HOST=10.96.0.1", image})...)
		assert.Equal(t, 2, res.Exit, "%s", res.Output())
		assert.Contains(t, res.Stderr, "KUBERNETES_SERVICE_HOST")
	})

	t.Run("migrate, seed, serve, drain", func(t *testing.T) {
		pg.Require(t)
		name := pg.NewName()
		require.NoError(t, pg.Exec(t.Context(), "CREATE DATABASE "+name))
		t.Cleanup(func() { _ = pg.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
		db := []string{"-e", "CONTEXTAPI_DATABASE_URL=" + pg.URL(name)}
		oneShot := func(args ...string) string {
			return podmanOK(t, slices.Concat(podmanRun, []string{"--rm"}, db, []string{image}, args)...)
		}
		assert.Contains(t, oneShot("migrate"), "applied")
		assert.Regexp(t, `loaded \d+ traces \(demo data set\)`, oneShot("seed", "--dataset", "demo"))

		api, metrics := "http://"+freePort(t), freePort(t)
		container := fmt.Sprintf("contextapi-smoke-%d", os.Getpid())
		start := time.Now()
		startContainer(t, container, slices.Concat(db, []string{image, "serve", "--addr", strings.TrimPrefix(api, "http://"),
			"--metrics-addr", metrics, "--drain-delay", "1s", "--shutdown-timeout", "5s"})...)
		launched := time.Since(start)
		require.Eventually(t, func() bool { return status(api+"/health/ready") == http.StatusOK },
			30*time.Second, 5*time.Millisecond, "ready")
		t.Logf("start-up to ready: %v (podman run returned after %v)", time.Since(start).Round(time.Millisecond), launched.Round(time.Millisecond))

		pid := podmanOK(t, "inspect", "--format", "{{.State.Pid}}", container)
		proc, err := os.ReadFile("/proc/" + pid + "/status")
		require.NoError(t, err)
		assert.Contains(t, string(proc), "\nUid:\t65532\t65532\t65532\t65532\n", "the process runs as the image's user")
		assert.Contains(t, string(proc), "\nGid:\t65532\t65532\t65532\t65532\n")
		var first map[string]any
		logLine, _, _ := strings.Cut(podman(t, "logs", container).Output()+"\n", "\n")
		require.NoError(t, json.Unmarshal([]byte(logLine), &first), "a JSON first log line: %s", logLine)
		assert.Equal(t, "postgresql", first["store"])

		code, page := getJSON(t, api+"/api/v1/incidents?limit=2")
		require.Equal(t, http.StatusOK, code)
		assert.EqualValues(t, 355, page["total"])
		assert.Len(t, page["incidents"], 2)

		code, incident := getJSON(t, api+"/api/v1/incidents/288?include=embedding")
		require.Equal(t, http.StatusOK, code)
		body, err := json.Marshal(map[string]any{"embedding": incident["embedding"], "limit": 3})
		require.NoError(t, err)
		code, found := call(t, http.MethodPost, api+"/api/v1/search/semantic", body)
		require.Equal(t, http.StatusOK, code, "%s", found)
		var search struct {
			Incidents []struct {
				ID         int64
				Similarity float64
			}
		}
		require.NoError(t, json.Unmarshal(found, &search))
		require.Len(t, search.Incidents, 3)
		assert.EqualValues(t, 288, search.Incidents[0].ID, "an incident is most similar to itself")
		assert.InDelta(t, 1, search.Incidents[0].Similarity, 1e-4)

		_, incident = getJSON(t, api+"/api/v1/incidents/282")
		code, rc := getJSON(t, api+"/api/v1/context/remediation/"+fmt.Sprint(incident["remediation_request_id"]))
		require.Equal(t, http.StatusOK, code)
		assert.EqualValues(t, 282, rc["incident"].(map[string]any)["id"])
		assert.NotEmpty(t, rc["similar_incidents"])

		code, scrape := call(t, http.MethodGet, "http://"+metrics+"/metrics", nil)
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, string(scrape), "contextapi_http_requests_total")
		assert.Equal(t, http.StatusNotFound, status(api+"/metrics"), "/metrics only on the metrics port")

		stop := time.Now()
		podmanOK(t, "kill", "--signal", "TERM", container)
		require.Eventually(t, func() bool { return status(api+"/health/ready") == http.StatusServiceUnavailable },
			time.Second, 10*time.Millisecond, "readiness turns 503 as soon as the drain begins")
		exit := podmanOK(t, "wait", container)
		took := time.Since(stop)
		assert.Equal(t, "0", exit, "exit status after SIGTERM")
		assert.GreaterOrEqual(t, took, 900*time.Millisecond, "kept serving for the drain delay")
		assert.Less(t, took, 15*time.Second, "within drain delay plus shutdown timeout")
		t.Logf("SIGTERM to exit: %v", took.Round(time.Millisecond))
		assert.Contains(t, lastLine(podman(t, "logs", container).Output()), "contextapi stopped")
	})
}

// status is the status of GET url; 0 when nothing answers.
func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// call sends a request (a JSON body when body is not nil) and returns status and body.
func call(t *testing.T, method, url string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	var last string
	for sc := bufio.NewScanner(strings.NewReader(s)); sc.Scan(); {
		if strings.TrimSpace(sc.Text()) != "" {
			last = sc.Text()
		}
	}
	return last
}
