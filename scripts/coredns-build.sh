#!/usr/bin/env bash
# Provide a CoreDNS binary for the contract tests (tests/contracts) and print, as the
# LAST line on stdout, its path.
#
#   COREDNS="$(scripts/coredns-build.sh | tail -n1)"
#
# CoreDNS is not packaged in Debian and no release download is reachable here, so the
# pinned module in tools/coredns (CoreDNS with just the plugins the rendered Corefile
# uses) is built with Go from the module proxy. The binary is cached outside the
# repository, in ${ATLAS_COREDNS_CACHE:-$HOME/.cache/atlas/coredns}, and rebuilt only
# when tools/coredns changes (sha256 stamp beside it).
#
# Progress goes to stderr. Exit 2 when Go is missing and nothing is cached, 1 on a
# build error.
set -euo pipefail

# Everything runs inside main() so that bash parses the whole file before running it.
main() {

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="$REPO/tools/coredns"
OUT="${ATLAS_COREDNS_CACHE:-${HOME:-/root}/.cache/atlas/coredns}"
BIN="$OUT/coredns"

log() { echo "coredns-build: $*" >&2; }

stamp_inputs() {
  cat "$MODULE/go.mod" "$MODULE/go.sum"
  find "$MODULE" -type f -name '*.go' | LC_ALL=C sort | xargs cat
}
STAMP="$(stamp_inputs | sha256sum | cut -d' ' -f1)"
VERSION="$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/coredns/coredns") { print $(i + 1); exit } }' "$MODULE/go.mod")"

cached() { [[ -x "$BIN" && "$(cat "$OUT/.stamp" 2>/dev/null || true)" == "$STAMP" ]]; }

if cached; then
  log "cached CoreDNS $VERSION in $BIN"
  echo "$BIN"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  log "ERROR: Go is not installed (or not on PATH) and no CoreDNS $VERSION is cached in $OUT."
  log "Install Go >= $(awk '$1 == "go" { print $2; exit }' "$MODULE/go.mod") (see tools/README.md)."
  exit 2
fi

mkdir -p "$OUT"
# One build at a time (parallel test runs, CI jobs sharing a cache).
exec 9>"$OUT/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if cached; then
  log "cached CoreDNS $VERSION in $BIN (built by another process)"
  echo "$BIN"
  exit 0
fi

log "building CoreDNS $VERSION with $(go version | cut -d' ' -f3) into $BIN"
log "(cold: downloads ~30 modules and compiles for 1-8 minutes, depending on the Go caches; cached: instant)"
tmp="$(mktemp -d "$OUT/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
(
  cd "$MODULE"
  export GOFLAGS="${ATLAS_GOFLAGS:--mod=readonly -buildvcs=false}"
  go build -trimpath -ldflags "-s -w" -o "$tmp/coredns" .
) >&2 || {
  log "ERROR: go build failed"
  exit 1
}
mv -f "$tmp/coredns" "$BIN"
echo "$STAMP" >"$OUT/.stamp"
log "built in $((SECONDS - start))s: $("$BIN" -version | head -n1)"
echo "$BIN"
}

main "$@"
