#!/usr/bin/env bash
# Atlas on this machine in one command (Debian or Ubuntu):
#
#   scripts/quickstart.sh [--image ALIAS] [--project NAME] [--pool NAME] [--state-dir DIR]
#                         [--stack NAME] [--set atlas:KEY=VALUE ...] [--destroy]
#
# Deploys the iapetus topology (Grafana, Prometheus, Loki, step-ca, node-exporter) onto
# the local Incus daemon with a local file state backend. Missing pieces are provided
# first: Incus (installed and started), the Pulumi CLI (scripts/pulumi-cli.sh), the npm
# packages and the build. Then automation/quickstart creates the storage pool the stack
# names when the daemon has none, a passphrase (0600) and the state backend outside the
# repository, fetches the plugins the deployment needs, runs `pulumi up` and prints what it
# did and the endpoints. Run it again at any time: it only changes what changed.
#
# Without internet it goes as far as it can and says what could not be fetched. Options
# and environment: `--help`; ATLAS_QUICKSTART_DIR moves the state (default
# ~/.local/share/atlas/quickstart); ATLAS_QUICKSTART_BUILD=0 skips `npm run build`.
set -euo pipefail

main() {
  REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cd "$REPO"
  log() { printf '[quickstart] %s\n' "$*" >&2; }
  stop() {
    log "STOPPED: $*"
    exit 3
  }
  as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
      stop "this step needs root and sudo is missing: $*"
    fi
  }

  for arg in "$@"; do
    if [ "$arg" = --help ] || [ "$arg" = -h ]; then
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
    fi
  done

  # shellcheck disable=SC1091
  . /etc/os-release 2>/dev/null || true
  case " ${ID:-} ${ID_LIKE:-} " in
    *" debian "* | *" ubuntu "*) ;;
    *) log "note: made for Debian and Ubuntu; this is ${PRETTY_NAME:-an unknown system}" ;;
  esac

  # Node.js runs the program and the provider plugin.
  if ! command -v node >/dev/null; then
    stop "Node.js 20.19 or newer is needed (not found); install it (e.g. from nodejs.org or NodeSource) and rerun"
  fi
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    stop "Node.js 20.19 or newer is needed (found $(node --version))"

  # Incus: installed and answering.
  if ! command -v incus >/dev/null || { [ ! -x /usr/libexec/incus/incusd ] && ! command -v incusd >/dev/null; }; then
    log "installing Incus"
    if [ "${VERSION_CODENAME:-}" = bookworm ] && [ ! -f /etc/apt/sources.list.d/bookworm-backports.sources ]; then
      as_root tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    local target=()
    [ "${VERSION_CODENAME:-}" = bookworm ] && target=(-t bookworm-backports)
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
      ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${target[@]}" incus; then
      stop "could not fetch the incus package from the distribution's archive (apt-get's words above); nothing else was changed"
    fi
  fi
  if ! timeout 15 incus query /1.0 >/dev/null 2>&1; then
    log "starting the Incus daemon"
    if [ -d /run/systemd/system ]; then
      as_root systemctl enable --now incus.socket incus.service
    else
      # No systemd (containers, minimal images): run incusd in the background.
      as_root mkdir -p /var/log/incus
      as_root setsid /usr/libexec/incus/incusd --group incus-admin --logfile /var/log/incus/incusd.log \
        </dev/null >/dev/null 2>&1 &
    fi
    as_root incus admin waitready --timeout 60 || stop "the Incus daemon did not become ready within 60s"
  fi
  timeout 15 incus query /1.0 >/dev/null 2>&1 ||
    stop "the Incus daemon answers root only: add yourself to the incus-admin group (sudo usermod -aG incus-admin $USER, then log in again) or run as root"

  # The Pulumi CLI.
  if ! command -v pulumi >/dev/null; then
    log "providing the Pulumi CLI (scripts/pulumi-cli.sh)"
    local bin
    bin="$(bash scripts/pulumi-cli.sh | tail -n 1)" ||
      stop "could not fetch or build the Pulumi CLI (scripts/pulumi-cli.sh's words above)"
    export PATH="$bin:$PATH"
  fi

  # npm packages and the build (the provider plugin and this quick start run from dist/).
  if [ ! -d node_modules/@pulumi/pulumi ]; then
    log "npm ci"
    npm ci --no-audit --no-fund || stop "could not fetch the npm packages (npm's words above)"
  fi
  if [ "${ATLAS_QUICKSTART_BUILD:-1}" != 0 ]; then
    log "npm run build"
    npm run -s build || stop "the build failed (tsc's words above)"
  fi
  [ -f dist/scripts/quickstart.js ] || stop "dist/scripts/quickstart.js is missing: run npm run build"

  exec node dist/scripts/quickstart.js "$@"
}

main "$@"
