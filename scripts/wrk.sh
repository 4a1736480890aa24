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

# shellcheck source=scripts/lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"
install_missing wrk wrk

WRK="$(command -v wrk)" || die "wrk missing after installing it"
# wrk -v prints its version and usage and exits 1; a binary that cannot run prints nothing.
version="$("$WRK" -v 2>&1 | head -n 1 || true)"
case "$version" in
wrk*) log "$version" ;;
*) die "$WRK does not run: ${version:-no output}" ;;
esac
echo "$WRK"
