#!/usr/bin/env bash
# The static gates of R15 (docs/targets.md): gofmt, go vet, staticcheck, errorlint, gosec
# and Wire drift. scripts/test.sh runs them before the tests; TestR15StaticGates runs them
# itself when nothing ran them first. govulncheck (scripts/vulncheck.sh) and the race
# detector (go test -race) are the other two gates.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

echo "== gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi

echo "== go vet" >&2
go vet ./...

echo "== staticcheck, errorlint" >&2
# Both pinned as go.mod tools. errorlint: errors are matched with errors.Is/As, never
# compared with == (wrapping would defeat it); string comparisons of errors are caught by
# TestErrorsAreNeverComparedAsStrings.
go tool staticcheck ./...
go tool go-errorlint ./...

echo "== gosec" >&2
# Pinned in go.mod. Each #nosec names its rules and gives a reason; the one path
# exclusion, with its reason, is in scripts/gosec.json.
go tool gosec -quiet -conf scripts/gosec.json ./...

echo "== wire drift" >&2
if ! go tool wire diff . >/dev/null; then
  echo "wire_gen.go is stale: run 'go tool wire gen .' and commit it" >&2
  exit 1
fi
