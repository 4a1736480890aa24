#!/usr/bin/env bash
# Runs every check CI runs: the static gates (scripts/gates.sh), the release binaries, govulncheck
# on them, the container image, and all tests with the race detector (the image's smoke
# test under Podman and the manifest tests among them). The PostgreSQL tests use a
# database from scripts/db.sh (it installs and starts PostgreSQL 15 with pgvector when
# none is given in CONTEXTAPI_DATABASE_URL or DATABASE_URL) and, for the tests that go
# through a pooler, a PgBouncer in transaction pooling mode in front of it from
# scripts/pgbouncer.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
# go.mod's toolchain line names the patched Go that builds and tests everything; this Go
# installation defaults to GOTOOLCHAIN=local, which would ignore it.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

echo "== database" >&2
url=$(scripts/db.sh | tail -n 1)
export CONTEXTAPI_TEST_DATABASE_URL="$url"

echo "== pgbouncer" >&2
pooled=$(scripts/pgbouncer.sh "$url" | tail -n 1)
export CONTEXTAPI_TEST_PGBOUNCER_URL="$pooled"

# A standby and Redis of your own may be given; else the scripts start local ones (the
# standby needs the primary to be db.sh's local cluster).
echo "== replica" >&2
if [ -z "${CONTEXTAPI_TEST_REPLICA_URL:-}" ]; then
	CONTEXTAPI_TEST_REPLICA_URL=$(scripts/replica.sh "$url" | tail -n 1)
fi
export CONTEXTAPI_TEST_REPLICA_URL

echo "== redis" >&2
if [ -z "${CONTEXTAPI_TEST_REDIS_URL:-}" ]; then
	CONTEXTAPI_TEST_REDIS_URL=$(scripts/redis.sh | tail -n 1)
fi
export CONTEXTAPI_TEST_REDIS_URL

echo "== static gates" >&2
scripts/gates.sh

echo "== podman" >&2
scripts/podman.sh

echo "== release binaries" >&2
CONTEXTAPI_SKIP_VULNCHECK=1 scripts/release.sh

echo "== govulncheck" >&2
scripts/vulncheck.sh dist/linux-amd64/contextapi dist/linux-arm64/contextapi

echo "== image" >&2
scripts/image.sh
# The image smoke test (test/image_test.go) runs this archive under Podman.
export CONTEXTAPI_TEST_IMAGE="$PWD/dist/contextapi-oci.tar"

# The gates above passed: TestR15StaticGates records them instead of running them again.
export CONTEXTAPI_GATES_PASSED="gofmt, go vet, staticcheck, errorlint, gosec, Wire drift, govulncheck"

# The official TypeScript MCP SDK, pinned by test/mcp-client/package-lock.json, drives the
# MCP server in test/mcp_typescript_test.go, which fails under CI=true without it.
echo "== npm ci (TypeScript MCP client)" >&2
# Debian's nodejs (18 on Debian 12) meets the SDK's node >= 18.
(log() { printf 'test.sh: %s\n' "$*" >&2; }; die() { log "error: $*"; exit 1; }
	. scripts/lib/apt.sh && install_missing npm nodejs npm)
(cd test/mcp-client && npm ci --no-audit --no-fund)

echo "== go test -race" >&2
# The reliability suite (the TestRnn tests, short mode) is among them; each appends its
# figures to the results file, which becomes a report at the end (docs/operations.md,
# "The reliability suite").
export CONTEXTAPI_RELIABILITY_RESULTS="$(mktemp)"
go test -race -count=1 -timeout 30m ./... "$@"

# ristretto's admission policy samples reads through sync.Pool, which the race detector
# empties on purpose: the eviction behaviour is only observable without -race.
echo "== go test (cache eviction, without -race)" >&2
go test -count=1 -run 'TestEviction' ./internal/adapters/cache/

# The performance harness, small (docs/performance.md): 10k traces in databases of their
# own on the same server, every contender must agree and each ratio stay within 0.1x..10x
# of its target. A step of its own, after the unit tests, so that a measurement upset by a
# busy machine is never mistaken for a failing unit test. Its saturation phases need wrk
# (scripts/wrk.sh installs Debian's package). The full run (10k, 100k, 1M) is on demand:
# go run ./bench
echo "== bench -quick" >&2
scripts/wrk.sh >/dev/null
if ! go run ./bench -quick; then
  echo "== bench -quick FAILED: a measurement or agreement check of the bench (above), not a unit test" >&2
  exit 1
fi

# Every target R1-R15 must have reported a passing test (not when arguments chose tests).
if [ $# -eq 0 ]; then
  echo "== reliability report (short mode)" >&2
  report="$(mktemp -d)"
  go run ./test/reliability -results "$CONTEXTAPI_RELIABILITY_RESULTS" -command scripts/test.sh -out "$report"
  cat "$report"/*.md >&2
fi
