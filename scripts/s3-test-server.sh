#!/usr/bin/env bash
# A real S3-compatible server for the backend tests: moto's server mode (PyPI `moto[server]`),
# installed in a virtualenv under .tools/moto (gitignored). The tests start it themselves on
# 127.0.0.1 with a free port; this script only installs it.
#
#   scripts/s3-test-server.sh install   create the venv and install moto (idempotent)
#   scripts/s3-test-server.sh path      print the moto_server executable (after install)
#
# Needs python3 with the venv module (Debian: python3-venv) and access to PyPI.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ATLAS_MOTO_VENV:-$REPO/.tools/moto}"
MOTO_VERSION="5.2.5"
SERVER="$VENV/bin/moto_server"

log() { echo "s3-test-server: $*" >&2; }

installed() {
  [[ -x "$SERVER" ]] && [[ "$("$VENV/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" == "$MOTO_VERSION" ]]
}

cmd_install() {
  if installed; then
    log "moto $MOTO_VERSION already installed in $VENV"
  else
    log "installing moto[server]==$MOTO_VERSION into $VENV"
    python3 -m venv "$VENV" || {
      log "ERROR: python3 -m venv failed (Debian: apt-get install python3-venv)"
      exit 1
    }
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
    installed || {
      log "ERROR: moto $MOTO_VERSION not importable after install"
      exit 1
    }
  fi
  echo "$SERVER"
}

case "${1:-}" in
  install) cmd_install ;;
  path)
    installed || {
      log "moto is not installed: run scripts/s3-test-server.sh install"
      exit 1
    }
    echo "$SERVER"
    ;;
  *)
    echo "usage: $0 install|path" >&2
    exit 2
    ;;
esac
