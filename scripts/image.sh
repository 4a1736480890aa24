#!/usr/bin/env bash
# image.sh — assemble the contextapi container image from the release binaries, without
# pulling anything (no registry is reachable where CI runs).
#
# Usage: scripts/release.sh && scripts/image.sh [build/image flags...]
#
# Reads dist/linux-amd64/contextapi and dist/linux-arm64/contextapi (scripts/release.sh),
# the build machine's CA bundle and build/image/rootfs/etc/{passwd,group}; writes
#   dist/ca-certificates.crt  the bundle that went into the image (and the Containerfile's
#                             context, for `podman build`: docs/image.md)
#   dist/contextapi-oci.tar   an OCI archive: an image index for linux/amd64 and linux/arm64,
#                             named $VERSION (org.opencontainers.image.ref.name)
# and prints each image's digest and compressed and uncompressed sizes. Same commit, same
# bytes: every time in the image is the commit's.
#
# Load it:  podman load -i dist/contextapi-oci.tar          (names it localhost/$VERSION)
#      or:  skopeo copy oci-archive:dist/contextapi-oci.tar:$VERSION docker://REGISTRY/contextapi:$VERSION
#
# Environment knobs (as scripts/release.sh, so the labels match `contextapi version`):
#   VERSION            default `git describe --tags --always --dirty`, else "dev"
#   REVISION           default the full git revision, "-dirty" when tracked files differ
#   SOURCE_DATE_EPOCH  default the commit's time
#   CA_CERTS           the CA bundle (default /etc/ssl/certs/ca-certificates.crt)
#   BASE               an OCI image layout directory holding a base image per architecture
#                      (e.g. UBI, docs/image.md); the base's CA certificates are then kept
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
# As scripts/release.sh: go.mod's toolchain line is honoured, and the gzip streams (whose
# bytes depend on the Go version) come out the same on every machine.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

log() { printf 'image: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

in_git=false
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	in_git=true
	git update-index -q --refresh >/dev/null 2>&1 || true
fi
if [ -z "${VERSION:-}" ]; then
	if $in_git; then VERSION="$(git describe --tags --always --dirty)"; else VERSION=dev; fi
fi
if [ -z "${REVISION:-}" ]; then
	if $in_git; then
		REVISION="$(git rev-parse HEAD)"
		git diff --quiet HEAD -- || REVISION="$REVISION-dirty"
	else
		REVISION=unknown
	fi
fi
if [ -z "${SOURCE_DATE_EPOCH:-}" ] && $in_git; then
	SOURCE_DATE_EPOCH="$(git log -1 --format=%ct HEAD)"
fi
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}"

for arch in amd64 arm64; do
	[ -f "dist/linux-$arch/contextapi" ] || die "dist/linux-$arch/contextapi is missing: run scripts/release.sh first"
done

args=(-version "$VERSION" -revision "$REVISION" -dist dist -out dist/contextapi-oci.tar)
if [ -n "${BASE:-}" ]; then
	args+=(-base "$BASE")
else
	certs="${CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
	[ -s "$certs" ] || die "$certs is missing: apt-get install ca-certificates (or set CA_CERTS)"
	install -m 0644 "$certs" dist/ca-certificates.crt
	args+=(-ca-certs dist/ca-certificates.crt)
fi

log "assembling dist/contextapi-oci.tar ($VERSION, $REVISION)"
# CGO_ENABLED=0 and -trimpath as scripts/release.sh builds: the standard library it compiled
# is reused.
CGO_ENABLED=0 go run -trimpath ./build/image "${args[@]}" "$@"
