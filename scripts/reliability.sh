#!/usr/bin/env bash
# The reliability suite (docs/operations.md, "The reliability suite"): the static gates,
# then every test holding one of R1-R15 (the tests named TestRnn...) in the long mode -
# R1 for 30 s on 100k traces, the soak for 10 minutes under GOMEMLIMIT, fuzzing for about
# 2 minutes per target - and the report, docs/reliability.md and docs/reliability.json.
# About 25 minutes. `scripts/reliability.sh short` runs the suite as CI does, in
# minutes, and writes the report to dist/reliability/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
mode="${1:-long}"
case "$mode" in
long) out=docs ;;
short) out=dist/reliability ;;
*) echo "usage: $0 [long|short]" >&2; exit 2 ;;
esac
mkdir -p "$out"

url=$(scripts/db.sh | tail -n 1)
export CONTEXTAPI_TEST_DATABASE_URL="$url"
export CONTEXTAPI_TEST_PGBOUNCER_URL="$(scripts/pgbouncer.sh "$url" | tail -n 1)"

# R15: the gates, govulncheck over the source, and the race detector over the unit
# tests (the suite below runs without it: the race detector's memory would hide the
# service's own in R1 and R12).
scripts/gates.sh
scripts/vulncheck.sh
echo "== go test -race ./internal/..." >&2
go test -race -count=1 ./internal/...
export CONTEXTAPI_GATES_PASSED="gofmt, go vet, staticcheck, errorlint, gosec, Wire drift, govulncheck (source), race detector (go test -race ./internal/...)"

echo "== the reliability suite ($mode mode)" >&2
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
export CONTEXTAPI_RELIABILITY="$mode" CONTEXTAPI_RELIABILITY_RESULTS="$results"
status=0
go test -count=1 -timeout 90m -run '^TestR[0-9][0-9]' ./... || status=$?

commit="$(git rev-parse --short HEAD)"
git diff --quiet HEAD -- . ':!docs/reliability.*' || commit="$commit with local changes"
postgres="$(psql "$url" -tAc 'SELECT version()' | sed 's/ on .*//')"
go run ./test/reliability -results "$results" -commit "$commit" -postgres "$postgres" \
  -command "scripts/reliability.sh $mode" -out "$out" || status=$?
exit "$status"
