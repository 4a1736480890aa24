package main

import (
	"embed"
	"strconv"
	"time"
)

// What every contextapi image is, whichever way it is built. The Containerfile says the
// same in its own words; containerfile_test.go fails when the two drift apart.
const (
	// binaryPath is where the release binary lives in the image.
	binaryPath = "/usr/local/bin/contextapi"
	// certsPath is where Go's crypto/x509 looks first on Linux, so no SSL_CERT_FILE is needed.
	certsPath = "/etc/ssl/certs/ca-certificates.crt"
	// uid and gid are the image's non-root user ("contextapi" in rootfs/etc/passwd). USER is
	// numeric so that Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
	uid, gid = 65532, 65532
	// stopSignal starts the drain (docs/operations.md, "Health and readiness").
	stopSignal = "SIGTERM"
	// sourceURL is the repository, for the source label.
	sourceURL = "https://github.com/contextapi/contextapi"
	// licence is the SPDX expression of LICENSE.
	licence = "Apache-2.0"
	// title and description are the image's name and summary labels.
	title       = "contextapi"
	description = "Read-only HTTP API of historical context about past Kubernetes remediation incidents (kubernaut Data Storage)"
)

// user is the USER of the image: numeric uid:gid.
var user = strconv.Itoa(uid) + ":" + strconv.Itoa(gid)

// entrypoint and cmd: `podman run IMAGE` serves; `podman run IMAGE migrate` migrates.
var (
	entrypoint = []string{binaryPath}
	cmd        = []string{"serve"}
)

// exposedPorts are the API port (addr, :8080) and the metrics port (metrics_addr, :9090 in
// the manifests).
var exposedPorts = []string{"8080/tcp", "9090/tcp"}

// fileModes are the image's own files, all owned by root: none is writable by the user.
var fileModes = map[string]int64{
	"/etc/passwd": 0o644,
	"/etc/group":  0o644,
	certsPath:     0o644,
	binaryPath:    0o755,
}

// env is set unless a base image already sets the variable (a base keeps its own PATH).
var env = []string{"PATH=/usr/local/bin"}

// rootfs holds the files the image takes from the repository: the passwd and group
// entries of the non-root user. The Containerfile copies the same files.
//
//go:embed rootfs/etc/passwd rootfs/etc/group
var rootfs embed.FS

// release is what varies from one build to the next.
type release struct {
	Version  string
	Revision string
	// Created is the commit's time (SOURCE_DATE_EPOCH): labels, config and every file's
	// modification time, so the same commit gives the same image, byte for byte.
	Created time.Time
}

// labels are the image's OCI labels, also set as annotations on its manifests and index.
func labels(r release) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       title,
		"org.opencontainers.image.description": description,
		"org.opencontainers.image.source":      sourceURL,
		"org.opencontainers.image.licenses":    licence,
		"org.opencontainers.image.version":     r.Version,
		"org.opencontainers.image.revision":    r.Revision,
		"org.opencontainers.image.created":     r.Created.UTC().Format(time.RFC3339),
	}
}
