#!/usr/bin/env bash
# Runs every test on a Debian/Ubuntu machine, providing what the tests need first:
#
#   sudo scripts/test-all.sh [vitest options]    e.g. --reporter=verbose
#
#   1. the validators and daemons of the template and contract tests (Debian packages)
#   2. a local Incus daemon with the `default` pool and the `atlas-test` image
#   3. the S3-compatible test server (moto, for the state backend tests)
#   4. the Pulumi CLI (downloaded, or built from source with Go), and CoreDNS for the
#      contract tests (built from the Go module proxy)
#   5. npm packages and the build (the provider plugin runs from dist/)
#   6. `npm test`: type-check, lint and every suite, with the options given here
#
# Every step is idempotent: on a prepared machine they only check. Needs root (packages,
# incusd). The quick loop without any of this is `npm run test:unit`.
# ATLAS_SKIP_PROVISION=1 skips steps 1-4 (a host prepared by other means).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

if [ "${ATLAS_SKIP_PROVISION:-0}" != 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-all: installs packages and starts incusd: run it as root (sudo $0)" >&2
    exit 1
  fi

  step "Debian packages: validators for rendered configs, contract-test daemons"
  bash scripts/install-test-host.sh

  step "Incus test daemon"
  bash scripts/incus-test-daemon.sh up

  step "Open vSwitch and OVN packages (the OVN suites start and stop them themselves)"
  bash scripts/incus-ovn.sh install

  step "S3-compatible test server (moto, for the state backend tests)"
  bash scripts/s3-test-server.sh install

  step "Pulumi CLI"
  if pulumi_bin="$(bash scripts/pulumi-cli.sh | tail -n 1)"; then
    export PATH="$pulumi_bin:$PATH"
    pulumi version
  else
    echo "Pulumi CLI could not be provided: the engine end-to-end suites will fail" >&2
  fi

  step "CoreDNS for the contract tests (built from the Go module proxy, cached)"
  if coredns_bin="$(bash scripts/coredns-build.sh | tail -n 1)"; then
    export ATLAS_COREDNS="$coredns_bin"
  else
    echo "CoreDNS could not be built: tests/contracts/dns will try again and fail" >&2
  fi
fi

step "npm ci and build"
if [ "${ATLAS_SKIP_NPM_CI:-0}" != 1 ]; then
  npm ci --no-audit --no-fund
fi
npm run build

step "Tests: npm test"
exec npm test -- "$@"
