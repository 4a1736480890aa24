#!/usr/bin/env bash
# vulncheck.sh — govulncheck over contextapi against a local copy of the Go vulnerability
# database (no vulnerability database is reachable from these machines; the Go module
# proxy serves golang.org/x/vulndb, whose data/osv holds every entry).
#
# Usage: scripts/vulncheck.sh [BINARY...]      (scripts/release.sh passes dist/linux-*/contextapi)
#
# 1. The database: golang.org/x/vulndb's own cmd/indexdb (pinned below) turns the module's
#    data/osv/*.json into the v1 layout `govulncheck -db file://DIR` reads. (Its cmd/gendb
#    needs the vulndb git history for entry dates; the module zip has none.) Built once per
#    vulndb version into $CONTEXTAPI_VULNDB_DIR, default
#    ${XDG_CACHE_HOME:-~/.cache}/contextapi/vulndb/<version>, and reused.
# 2. Source mode over ./... for linux/amd64 and linux/arm64 with CGO_ENABLED=0, as released:
#    govulncheck follows the call graph, so a finding is code we can actually reach. Binary
#    mode is not used: on a stripped binary (-s -w) it reports every symbol of a module as
#    present, Echo middleware we never link included.
# 3. Each BINARY must have been built by this toolchain from exactly the modules scanned
#    (go version -m), so that the scan speaks for it.
#
# Fails on any reachable finding not listed in scripts/vulncheck.accepted (ID, module, the
# conditions the acceptance rests on, reason), and when such a condition stops holding.
# The full reports are left in dist/vulncheck/.
#
# Environment knobs:
#   CONTEXTAPI_VULNDB_VERSION  golang.org/x/vulndb version (default below)
#   CONTEXTAPI_VULNDB_DIR      database directory (default above)
#   GOTOOLCHAIN                default "auto", as in scripts/release.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

vulndb_version="${CONTEXTAPI_VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}"
db="${CONTEXTAPI_VULNDB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/contextapi/vulndb/$vulndb_version}"
accepted=scripts/vulncheck.accepted
reports=dist/vulncheck

log() { printf 'vulncheck: %s\n' "$*" >&2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ ! -s "$db/index/db.json" ] || [ ! -s "$db/index/modules.json" ]; then
	log "building the vulnerability database golang.org/x/vulndb@$vulndb_version into $db"
	# Outside our module: vulndb has a module graph of its own.
	src="$(cd "$tmp" && go mod download -json "golang.org/x/vulndb@$vulndb_version" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
	[ -d "$src/data/osv" ] || { log "no data/osv in golang.org/x/vulndb@$vulndb_version"; exit 1; }
	mkdir -p "$(dirname "$db")"
	new="$(mktemp -d "$db.new.XXXXXX")"
	(cd "$tmp" && go run "golang.org/x/vulndb/cmd/indexdb@$vulndb_version" -vulns "$src/data/osv" -out "$new")
	rm -rf "$db"
	mv "$new" "$db" # whole or not at all: an interrupted build is never reused
fi
log "database: $db ($(find "$db/ID" -name '*.json' | wc -l) entries, golang.org/x/vulndb@$vulndb_version)"

# reachable prints "ID module" for each finding in the Symbol Results of a text report
# ("stdlib" for the standard library).
reachable() {
	awk '
		/^=== Symbol Results ===/ { on = 1; next }
		/^=== / { on = 0 }
		on && /^Vulnerability #[0-9]+: / { id = $3 }
		on && id != "" && /^  Module: / { print id, $2; id = "" }
		on && id != "" && /^  Standard library/ { print id, "stdlib"; id = "" }
	' "$1" | sort -u
}

# Built for this machine once: under GOARCH=arm64, `go tool govulncheck` would build it for arm64.
go build -o "$tmp/govulncheck" golang.org/x/vuln/cmd/govulncheck

# broken_guard prints the first condition of an acceptance that fails, and returns 1 when
# all hold: "pkg:P" (package P is linked into nothing scanned; $2 is the package list) or
# "call:M" (no non-test Go file of ours calls a method or function M).
broken_guard() {
	local guard
	for guard in ${1//,/ }; do
		case "$guard" in
		pkg:*)
			if grep -qxF "${guard#pkg:}" <<<"$2"; then
				echo "${guard#pkg:} stays unlinked"
				return 0
			fi
			;;
		call:*)
			if grep -rqE --include='*.go' --exclude='*_test.go' --exclude-dir=.git --exclude-dir=dist \
				"[.[:space:]]${guard#call:}\(" .; then
				echo "nothing calls ${guard#call:}"
				return 0
			fi
			;;
		*)
			echo "a known condition ($guard is none: pkg:PATH or call:NAME)"
			return 0
			;;
		esac
	done
	return 1
}

mkdir -p "$reports"
failed=0
seen=""
for arch in amd64 arm64; do
	report="$reports/source-linux-$arch.txt"
	rc=0
	CGO_ENABLED=0 GOOS=linux GOARCH="$arch" \
		"$tmp/govulncheck" -db "file://$db" -show verbose ./... >"$report" 2>&1 || rc=$?
	# The summary, without the module list and the call traces (both are in the report).
	sed -n '/^=== Symbol Results ===/,$p' "$report" | grep -v '^      #' >&2 || true
	case "$rc" in
	0)
		log "linux/$arch: no reachable vulnerability (report: $report)"
		continue
		;;
	3) ;;
	*)
		cat "$report" >&2
		log "linux/$arch: govulncheck failed (exit $rc)"
		exit 1
		;;
	esac

	found="$(reachable "$report")"
	want="$(sed -n 's/^Your code is affected by \([0-9][0-9]*\) vulnerabilit.*/\1/p' "$report")"
	if [ -z "$found" ] || [ "$(wc -l <<<"$found")" != "${want:-?}" ]; then
		log "linux/$arch: could not read the findings of $report (want ${want:-?}, read: ${found:-none})"
		exit 1
	fi
	deps="$(CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go list -deps ./...)"
	while read -r id module; do
		seen+=" $id"
		line="$(awk -v id="$id" -v m="$module" '$1 == id && $2 == m' "$accepted")"
		if [ -z "$line" ]; then
			log "linux/$arch: REACHABLE $id in $module (see $report)"
			failed=1
			continue
		fi
		read -r _ _ guards reason <<<"$line"
		if broken="$(broken_guard "$guards" "$deps")"; then
			log "linux/$arch: $id was accepted on condition that $broken; that no longer holds"
			failed=1
			continue
		fi
		log "linux/$arch: accepted $id in $module ($guards): $reason"
	done <<<"$found"
done

# An acceptance that nothing needs any more should go.
while read -r id _; do
	case "$id" in '' | '#'*) continue ;; esac
	case " $seen " in *" $id "*) ;; *) log "note: $id in $accepted is no longer reported: remove it" ;; esac
done <"$accepted"

goversion="$(go env GOVERSION)"
for bin in "$@"; do
	info="$(go version -m "$bin")"
	built="$(head -n 1 <<<"$info" | awk '{print $2}')"
	arch="$(sed -n 's/^\tbuild\tGOARCH=//p' <<<"$info")"
	if [ "$built" != "$goversion" ]; then
		log "$bin was built by $built, the scan used $goversion: rebuild it (scripts/release.sh)"
		failed=1
		continue
	fi
	binmods="$(awk '$1 == "dep" { print $2, $3 }' <<<"$info" | sort -u)"
	srcmods="$(CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go list -deps \
		-f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}' ./cmd/contextapi | sort -u)"
	if [ "$binmods" != "$srcmods" ]; then
		log "$bin holds other module versions than the source scanned: rebuild it (scripts/release.sh)"
		diff <(echo "$binmods") <(echo "$srcmods") >&2 || true
		failed=1
		continue
	fi
	log "$bin: $built, $(wc -l <<<"$binmods") modules, as scanned"
done

if [ "$failed" != 0 ]; then
	log "FAILED: see above (full reports in $reports/)"
	exit 1
fi
log "ok: no reachable vulnerability beyond $accepted"
