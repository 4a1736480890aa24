#!/usr/bin/env bash
# podman.sh — make Podman available for the image smoke test (test/image_test.go).
#
# Usage: scripts/podman.sh
#
# On Debian 12 (as root, or with sudo): installs Debian's podman (4.3) and runc when
# missing, without the recommended extras (buildah, slirp4netns, fuse-overlayfs, ...),
# which the test does not use. Idempotent: with both present it only prints the versions.
#
# What works on these machines, and what the test therefore does: runc as the runtime
# (`podman --runtime runc`; Debian's crun fails here: "cgroups in hybrid mode not
# supported"), the cgroupfs cgroup manager (no systemd runs), explicit
# `--ulimit nofile=1024:1024 --ulimit nproc=1024:1024` on `run` (runc may not raise the
# limits to Podman's defaults: "error setting rlimit type 7: operation not permitted") and
# the host network. Podman's default storage (overlay, as root) works for
# `podman pull oci-archive:...`, `podman load` and `podman build`; no vfs needed.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
log() { printf 'podman.sh: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
as_root() { ${SUDO:+$SUDO} "$@"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in podman runc; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
	# dpkg's progress is long and says nothing useful: shown only when something fails.
	out="$(mktemp)"
	trap 'rm -f "$out"' EXIT
	log "apt-get update; installing ${missing[*]}"
	if ! { as_root apt-get update -qq && as_root apt-get install -y -qq --no-install-recommends podman runc; } >"$out" 2>&1; then
		cat "$out" >&2
		log "error: installing podman and runc failed"
		exit 1
	fi
fi
log "$(podman --version), $(runc --version | head -n 1)"
