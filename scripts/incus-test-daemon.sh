#!/usr/bin/env bash
# Test harness for the Incus provider: a real incusd on this machine.
#
#   scripts/incus-test-daemon.sh up      install (if needed), start, prepare pool + image
#   scripts/incus-test-daemon.sh down    stop the daemon started here
#   scripts/incus-test-daemon.sh status  exit 0 when the daemon answers
#
# Every step is idempotent: `up` on a machine that already has a running, prepared daemon
# only checks. It exits non-zero when anything fails, so CI never runs the provider tests
# against a missing daemon (the tests also fail on their own when the socket is absent).
#
# PID 1 is not systemd on the test machines, so incusd is started by hand.
# `incus admin init --minimal` cannot pick a bridge subnet here, so only the `default`
# dir pool is created; networks are created by the tests themselves (ipv4.nat=false).
set -euo pipefail

STATE_DIR="${ATLAS_INCUS_STATE_DIR:-/tmp/atlas-incus-test}"
LOG_FILE="$STATE_DIR/incusd.log"
PID_FILE="$STATE_DIR/incusd.pid"
IMAGE_ALIAS="${ATLAS_INCUS_TEST_IMAGE:-atlas-test}"
INCUSD=/usr/libexec/incus/incusd
SOCKET="${INCUS_SOCKET:-/var/lib/incus/unix.socket}"

log() { printf '[incus-test-daemon] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

need_root() {
  [ "$(id -u)" = 0 ] || die "must run as root (installs packages and starts incusd)"
}

install_packages() {
  if [ -x "$INCUSD" ] && command -v incus >/dev/null && [ -x /bin/busybox ]; then
    return 0
  fi
  need_root
  local src=/etc/apt/sources.list.d/bookworm-backports.sources
  if [ ! -f "$src" ]; then
    log "adding $src"
    cat >"$src" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  log "installing incus and busybox-static from bookworm-backports"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q -t bookworm-backports incus
  apt-get install -y -q busybox-static
  [ -x "$INCUSD" ] || die "$INCUSD missing after installing incus"
}

daemon_answers() {
  [ -S "$SOCKET" ] && timeout 10 incus query /1.0 >/dev/null 2>&1
}

incusd_pid() {
  # Only a pid whose command line is incusd counts: a stale pid file may name a reused pid.
  if [ -f "$PID_FILE" ]; then
    local pid
    pid="$(cat "$PID_FILE")"
    if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q incusd; then
      echo "$pid"
      return 0
    fi
  fi
  return 1
}

start_daemon() {
  if daemon_answers; then
    log "incusd already running"
    return 0
  fi
  need_root
  mkdir -p "$STATE_DIR"
  log "starting incusd (log: $LOG_FILE)"
  # setsid: the daemon must outlive this script and the shell that ran it. It runs from /:
  # its helpers (rsync for volume copies) inherit its directory, and a checkout deleted
  # under a daemon started from it failed every snapshot ("getcwd(): No such file").
  setsid sh -c 'cd / && exec "$0" "$@"' "$INCUSD" --group root --logfile "$LOG_FILE" \
    </dev/null >>"$STATE_DIR/incusd.out" 2>&1 &
  echo $! >"$PID_FILE"
  if ! incus admin waitready --timeout 60; then
    tail -n 50 "$LOG_FILE" "$STATE_DIR/incusd.out" >&2 || true
    die "incusd did not become ready within 60s"
  fi
  daemon_answers || die "incusd started but does not answer on $SOCKET"
}

ensure_pool() {
  if incus storage show default >/dev/null 2>&1; then
    return 0
  fi
  log "creating storage pool default (dir)"
  incus storage create default dir
}

# Test scaffolding, in the test image only: stand-ins for the tools the platform's reload
# commands call, which busybox lacks. `rc-service` records its arguments and succeeds; every
# name below is one fake checker that rejects a file containing ATLAS_TEST_REJECT.
FAKE_CHECKERS="promtool amtool mosquitto_passwd coredns named-checkzone loki promtail grafana step-ca"

# Writes the image's root filesystem into $1.
populate_rootfs() {
  local rootfs="$1"
  mkdir -p "$rootfs"/{bin,sbin,etc,dev,proc,sys,tmp,root,run,var/log,usr/bin,usr/sbin,usr/local/bin}
  cp /bin/busybox "$rootfs/bin/busybox"
  # Applet links so that `incus exec` and init scripts find sh, cat, ls, ...
  local applet
  for applet in $(/bin/busybox --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  ln -sf ../bin/busybox "$rootfs/sbin/init"
  cat >"$rootfs/etc/inittab" <<'EOF'
::sysinit:/bin/mount -t tmpfs tmpfs /tmp
::sysinit:/bin/mount -t tmpfs tmpfs /run
::respawn:/bin/sleep 3600
::ctrlaltdel:/bin/poweroff
::shutdown:/bin/true
EOF
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"
  cat >"$rootfs/sbin/rc-service" <<'EOF'
#!/bin/sh
# Atlas test scaffolding (not OpenRC): records the call and succeeds.
echo "$*" >>/var/log/atlas-rc-service.calls
exit 0
EOF
  cat >"$rootfs/usr/local/bin/atlas-fake-checker" <<'EOF'
#!/bin/sh
# Atlas test scaffolding: a config checker that rejects any file argument (also the
# value of --flag=FILE) containing the marker ATLAS_TEST_REJECT, and accepts the rest.
for arg in "$@"; do
  file="${arg#*=}"
  if [ -f "$file" ] && grep -q ATLAS_TEST_REJECT "$file"; then
    echo "rejected: $file" >&2
    exit 1
  fi
done
exit 0
EOF
  chmod 0755 "$rootfs/sbin/rc-service" "$rootfs/usr/local/bin/atlas-fake-checker"
  local checker
  for checker in $FAKE_CHECKERS; do
    ln -s atlas-fake-checker "$rootfs/usr/local/bin/$checker"
  done
}

# The image's version: a digest of what goes into it, kept as an image property, so that a
# changed script rebuilds the image at the next `up`.
image_version() {
  { declare -f populate_rootfs; echo "$FAKE_CHECKERS"; } | sha256sum | cut -c1-16
}

build_image() {
  local version have
  version="$(image_version)"
  have="$(incus image get-property "$IMAGE_ALIAS" atlas.version 2>/dev/null || true)"
  [ "$have" = "$version" ] && return 0
  log "building busybox test image $IMAGE_ALIAS (version $version${have:+, replacing $have})"
  local work
  work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  populate_rootfs "$work/rootfs"
  cat >"$work/metadata.yaml" <<EOF
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  description: Atlas provider test image (busybox)
  os: busybox
  release: static
  atlas.version: "$version"
EOF
  tar -C "$work" -cJf "$work/meta.tar.xz" metadata.yaml
  tar -C "$work/rootfs" --numeric-owner -cJf "$work/rootfs.tar.xz" .
  # Import first, then point the alias at the new image in one request: a test creating an
  # instance meanwhile resolves the alias to the old image or the new one, never to nothing.
  # The old image stays, unaliased (under 1 MB), for creates that resolved it already.
  local out fingerprint
  out="$(incus image import "$work/meta.tar.xz" "$work/rootfs.tar.xz" 2>&1)" ||
    die "image import failed: $out"
  fingerprint="$(sed -n 's/.*fingerprint: *\([0-9a-f]\{64\}\).*/\1/p' <<<"$out")"
  [ -n "$fingerprint" ] || die "image import printed no fingerprint: $out"
  if incus image alias list --format csv 2>/dev/null | cut -d, -f1 | grep -qx "$IMAGE_ALIAS"; then
    incus query -X PUT "/1.0/images/aliases/$IMAGE_ALIAS" \
      --data "{\"target\": \"$fingerprint\", \"description\": \"\"}" >/dev/null
  else
    incus image alias create "$IMAGE_ALIAS" "$fingerprint"
  fi
}

cmd_up() {
  install_packages
  start_daemon
  ensure_pool
  build_image
  log "ready: pool default, image $IMAGE_ALIAS"
}

cmd_down() {
  local pid
  if pid="$(incusd_pid)"; then
    log "stopping incusd (pid $pid)"
    # `incus admin shutdown` stops instances cleanly; the kill is the fallback.
    timeout 60 incus admin shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    rm -f "$PID_FILE"
  elif daemon_answers; then
    log "incusd runs but was not started by this script; stopping it with incus admin shutdown"
    timeout 60 incus admin shutdown >/dev/null 2>&1 || true
  else
    log "incusd not running"
  fi
}

cmd_status() {
  if daemon_answers; then
    log "incusd answers on $SOCKET"
    return 0
  fi
  log "incusd not running"
  return 1
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
