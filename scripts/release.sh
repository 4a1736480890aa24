#!/usr/bin/env bash
# release.sh — build the release binaries of contextapi and check them for known
# vulnerabilities.
#
# Usage: scripts/release.sh
#
# Produces, from the work tree as it is:
#   dist/linux-amd64/contextapi   static (CGO_ENABLED=0), -trimpath, stripped
#   dist/linux-arm64/contextapi   the same for arm64
#   dist/SHA256SUMS               `sha256sum` format, paths relative to dist/
# (the image build reads exactly these paths), then runs scripts/vulncheck.sh on them.
#
# Stamped into `contextapi version`:
#   version  $VERSION, else `git describe --tags --always --dirty`, else "dev"
#   commit   the full git revision, with "-dirty" when tracked files differ from it
#   date     UTC RFC 3339 of $SOURCE_DATE_EPOCH, else of the commit (not of now: the same
#            commit builds the same bytes), else of now outside git
#
# Environment knobs:
#   VERSION, SOURCE_DATE_EPOCH   as above
#   CONTEXTAPI_SKIP_VULNCHECK=1  build only (CI runs scripts/vulncheck.sh itself)
#   GOTOOLCHAIN                  default "auto": a `toolchain` line in go.mod is honoured even
#                                where the Go installation defaults to "local"
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

log() { printf 'release: %s\n' "$*" >&2; }

in_git=false
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	in_git=true
	git update-index -q --refresh >/dev/null 2>&1 || true # stat-only changes are not changes
fi

if [ -n "${VERSION:-}" ]; then
	version="$VERSION"
elif $in_git; then
	version="$(git describe --tags --always --dirty)"
else
	version="dev"
fi

if $in_git; then
	commit="$(git rev-parse HEAD)"
	git diff --quiet HEAD -- || commit="$commit-dirty"
else
	commit="unknown"
fi

if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	epoch="$SOURCE_DATE_EPOCH"
elif $in_git; then
	epoch="$(git log -1 --format=%ct HEAD)"
else
	epoch="$(date +%s)"
	log "not a git checkout and no SOURCE_DATE_EPOCH: stamping the current time (not reproducible)"
fi
date="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"

ldflags="-s -w"
ldflags+=" -X main.version=$version -X main.commit=$commit -X main.date=$date"

rm -f dist/SHA256SUMS
targets=(linux/amd64 linux/arm64)
bins=()
for target in "${targets[@]}"; do
	os="${target%/*}" arch="${target#*/}"
	out="dist/$os-$arch/contextapi"
	mkdir -p "$(dirname "$out")"
	rm -f "$out"
	log "building $out ($version, $commit, $date)"
	# -buildvcs=false: git status (untracked files included) must not change the bytes;
	# the revision is stamped above. GOAMD64/GOARM64 pinned to the baseline levels.
	CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" GOAMD64=v1 GOARM64=v8.0 \
		go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out" ./cmd/contextapi
	bins+=("$out")
done

# Static: no cgo, so no dynamic loader, no libc.
for bin in "${bins[@]}"; do
	if ! go version -m "$bin" | grep -q $'^\tbuild\tCGO_ENABLED=0$'; then
		log "$bin was not built with CGO_ENABLED=0"
		exit 1
	fi
	if command -v file >/dev/null && file "$bin" | grep -q 'dynamically linked'; then
		log "$bin is dynamically linked: $(file -b "$bin")"
		exit 1
	fi
done

(cd dist && sha256sum "${bins[@]#dist/}" >SHA256SUMS)
log "dist/SHA256SUMS:"
sed 's/^/  /' dist/SHA256SUMS >&2
# The linker ignores -X for a variable that does not exist: check that the stamps arrived.
want="contextapi $version (commit $commit, built $date, "
for bin in "${bins[@]}"; do
	if ! grep -qaF -e "$commit" "$bin" || ! grep -qaF -e "$date" "$bin"; then
		log "$bin does not carry the stamped commit and date"
		exit 1
	fi
done
if [ "$(go env GOHOSTOS)/$(go env GOHOSTARCH)" = "linux/amd64" ]; then
	got="$(dist/linux-amd64/contextapi version)"
	log "$got"
	if [ "${got#"$want"}" = "$got" ]; then
		log "dist/linux-amd64/contextapi version: want \"$want...\""
		exit 1
	fi
fi

if [ "${CONTEXTAPI_SKIP_VULNCHECK:-}" = 1 ]; then
	log "vulnerability check skipped (CONTEXTAPI_SKIP_VULNCHECK=1)"
else
	scripts/vulncheck.sh "${bins[@]}"
fi
