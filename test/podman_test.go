package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// envImage names the image the smoke test runs: an OCI archive (dist/contextapi-oci.tar,
// from scripts/image.sh) or a reference Podman already holds.
const envImage = "CONTEXTAPI_TEST_IMAGE"

// podmanGlobal are the flags every podman command needs on these machines: Debian's crun
// refuses their hybrid cgroup layout and no systemd runs; runc with cgroupfs works.
var podmanGlobal = []string{"--runtime", "runc", "--cgroup-manager", "cgroupfs"}

// podmanRun starts a container as production would, as far as Podman can say it: the
// image's own (non-root) user, a read-only root file system with no writable tmpfs at
// all (readOnlyRootFilesystem), no capabilities, no privilege escalation. The explicit
// limits are needed here because runc cannot raise them to Podman's defaults in this
// sandbox; the host network lets the service reach the test database on 127.0.0.1.
var podmanRun = []string{"run",
	"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "host",
	"--read-only", "--read-only-tmpfs=false", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"}

// podmanResult is what one podman command did.
type podmanResult struct {
	Stdout, Stderr string
	Exit           int
}

// Output is stdout and stderr, for messages.
func (r podmanResult) Output() string { return r.Stdout + r.Stderr }

// podman runs one podman command, giving up after a minute.
func podman(t *testing.T, args ...string) podmanResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "podman", append(slices.Clone(podmanGlobal), args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := podmanResult{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.Exit = exit.ExitCode()
	default:
		require.NoError(t, err, "podman %s", strings.Join(args, " "))
	}
	return res
}

// podmanOK runs a podman command that must succeed and returns its trimmed stdout.
func podmanOK(t *testing.T, args ...string) string {
	t.Helper()
	res := podman(t, args...)
	require.Zero(t, res.Exit, "podman %s:\n%s", strings.Join(args, " "), res.Output())
	return strings.TrimSpace(res.Stdout)
}

// smokeImage returns the image to test, from CONTEXTAPI_TEST_IMAGE: an archive is pulled
// into Podman's storage (the machine's architecture out of the index) and removed again
// when the test ends, unless Podman already held that image. Unset, the test skips
// loudly, or fails with CI=true: CI must test the real image.
func smokeImage(t *testing.T) string {
	t.Helper()
	ref := os.Getenv(envImage)
	if ref == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(envImage + " is not set; in CI the image smoke test must run (scripts/image.sh builds dist/contextapi-oci.tar)")
		}
		msg := envImage + " is not set: image smoke test SKIPPED (scripts/image.sh, then " + envImage + "=$PWD/dist/contextapi-oci.tar)"
		fmt.Fprintln(os.Stderr, "WARNING:", msg)
		t.Skip(msg)
	}
	_, err := exec.LookPath("podman")
	require.NoError(t, err, "%s is set but podman is missing (scripts/podman.sh installs it)", envImage)
	info, err := os.Stat(ref)
	if err != nil || !info.Mode().IsRegular() {
		require.Zero(t, podman(t, "image", "exists", ref).Exit, "%s=%s: neither a file nor an image Podman holds", envImage, ref)
		return ref
	}
	abs, err := filepath.Abs(ref)
	require.NoError(t, err)
	before := strings.Fields(podmanOK(t, "images", "--quiet", "--no-trunc"))
	out := podmanOK(t, "pull", "--quiet", "oci-archive:"+abs)
	id := out[strings.LastIndex(out, "\n")+1:]
	if !slices.Contains(before, "sha256:"+id) && !slices.Contains(before, id) {
		t.Cleanup(func() { podman(t, "rmi", "--force", id) })
	}
	return id
}

// startContainer runs a detached container and removes it when the test ends, showing
// its logs first if the test failed.
func startContainer(t *testing.T, name string, args ...string) {
	t.Helper()
	run := slices.Concat(podmanRun, []string{"--detach", "--name", name}, args)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs of %s:\n%s", name, podman(t, "logs", name).Output())
		}
		podman(t, "rm", "--force", "--time", "0", name)
	})
	podmanOK(t, run...)
}
