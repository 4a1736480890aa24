#!/usr/bin/env bash
# wrk.sh — make sure wrk, the load generator of the bench's saturation phases
# (docs/performance.md), is installed, and print its path.
#
# Usage: scripts/wrk.sh      (progress on stderr; wrk's path is stdout's last line)
#
# On Debian 12 (as root, or with sudo): installs Debian's wrk package (4.1) when no wrk
# is on the PATH. Idempotent: an installed wrk is only checked.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

log() { printf 'wrk.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$#" -eq 0 ] || die "usage: scripts/wrk.sh"

if ! command -v wrk >/dev/null 2>&1; then
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else die "wrk is missing: run as root (or install sudo) to install it"; fi
	fi
	as_root() { ${SUDO:+$SUDO} "$@"; }
	command -v apt-get >/dev/null 2>&1 || die "wrk is missing and this is no Debian: install wrk 4.x"
	# Always refresh before installing: stale lists can name versions the mirror dropped.
	log "apt-get update"
	as_root apt-get update -qq >&2
	log "installing wrk"
	as_root apt-get install -y -qq --no-install-recommends wrk >&2
fi

WRK="$(command -v wrk)" || die "wrk missing after installing it"
# wrk -v prints its version and usage and exits 1; a binary that cannot run prints nothing.
version="$("$WRK" -v 2>&1 | head -n 1 || true)"
case "$version" in
wrk*) log "$version" ;;
*) die "$WRK does not run: ${version:-no output}" ;;
esac
echo "$WRK"
