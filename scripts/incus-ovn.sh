#!/usr/bin/env bash
# Test harness for the OVN backend: Open vSwitch, OVN central and an incusd of its own.
#
#   scripts/incus-ovn.sh install install the Debian packages only (CI provisioning)
#   scripts/incus-ovn.sh up      install (if needed), start OVS, OVN and the OVN incusd
#   scripts/incus-ovn.sh down    stop all of it, newest first; leaves nothing behind
#   scripts/incus-ovn.sh status  exit 0 when the OVN incusd answers and OVN is wired
#   scripts/incus-ovn.sh env     print the variables a client needs (INCUS_DIR, ...)
#
# Every step is idempotent. The OVN incusd is not the shared test daemon
# (scripts/incus-test-daemon.sh): Incus 6.0 keeps its northbound connection for the life of
# the daemon and retries a lost OVS/OVN connection in a tight loop, so OVN gets a daemon
# (own INCUS_DIR, socket, pool and test image) that `down` stops BEFORE OVS and OVN.
#
# It runs in the host's network namespace: Open vSwitch is one per host (its database
# socket is /run/openvswitch/db.sock, where incusd and ovn-controller look for it), and the
# userspace datapath opens the OVN incusd's interfaces by name. Isolation from other tests
# comes from names and addresses of its own: the uplink bridge `atlasovn-up` on
# 10.240.0.0/24 (VIPs 10.240.0.100-150) routing 10.241.0.0/16 to the OVN networks, which
# other suites do not use; nothing is NATed off the machine.
#
# Two settings exist only because these machines lack the openvswitch kernel module (real
# hosts need neither, and the product never sets them): the uplink's OVS bridge is
# pre-created with datapath_type=netdev, and tx checksum offload is switched off on the
# uplink veth (`fix-offload <instance>` does the same for an instance's eth0 after it
# starts); without that, TCP through the userspace datapath carries bad checksums.
#
# ATLAS_OVN_START_CONTROLLER=0 leaves ovn-controller stopped (no chassis), and
# `scripts/incus-ovn.sh controller start|stop` toggles it: the ordering test uses both.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${ATLAS_OVN_STATE_DIR:-/tmp/atlas-incus-ovn}"
export INCUS_DIR="${ATLAS_OVN_INCUS_DIR:-/var/lib/atlas-incus-ovn}"
export INCUS_SOCKET="$INCUS_DIR/unix.socket"
# OVS and OVN keep their databases and logs in the state dir (sockets stay in /run, where
# incusd and ovn-controller expect them): `down` removes every trace by removing the dir.
export OVS_DBDIR="$STATE_DIR/ovs" OVS_LOGDIR="$STATE_DIR/log"
export OVN_DBDIR="$STATE_DIR/ovn" OVN_LOGDIR="$STATE_DIR/log"
UPLINK="${ATLAS_OVN_UPLINK:-atlasovn-up}"
PIN_NETWORK="atlasovn-pin"
UPLINK_ADDRESS="10.240.0.1/24"
OVN_RANGES="10.240.0.100-10.240.0.150"
OVN_ROUTES="10.241.0.0/16"
# Northbound over TCP on loopback: what a cluster's `network.ovn.northbound_connection`
# looks like (the program accepts only tcp:/ssl:), reachable by this host only.
NB_CONNECTION="tcp:127.0.0.1:6641"
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
OVN_CTL=/usr/share/ovn/scripts/ovn-ctl
PACKAGES="openvswitch-switch ovn-central ovn-host ethtool"

log() { printf '[incus-ovn] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (starts OVS, OVN and incusd)"

install_packages() {
  local missing=""
  local p
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  log "installing$missing"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null; }
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_ovs() {
  mkdir -p "$OVS_DBDIR" "$OVN_DBDIR" "$OVS_LOGDIR"
  if ! pid_alive /run/openvswitch/ovsdb-server.pid; then
    "$OVS_CTL" start --system-id=random --no-ovs-vswitchd >/dev/null
  fi
  if ! pid_alive /run/openvswitch/ovs-vswitchd.pid; then
    # ovs-ctl would modprobe openvswitch before starting vswitchd: start it directly.
    ovs-vswitchd unix:/run/openvswitch/db.sock -vconsole:emer -vsyslog:err -vfile:info \
      --no-chdir --log-file="$OVS_LOGDIR/ovs-vswitchd.log" \
      --pidfile=/run/openvswitch/ovs-vswitchd.pid --detach
  fi
}

start_ovn_central() {
  if ! pid_alive /run/ovn/ovn-northd.pid; then
    "$OVN_CTL" start_northd --db-nb-addr=127.0.0.1 --db-nb-port=6641 \
      --db-nb-create-insecure-remote=yes >/dev/null
  fi
  ovs-vsctl set open_vswitch . \
    external_ids:ovn-remote=unix:/run/ovn/ovnsb_db.sock \
    external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=127.0.0.1 \
    external_ids:ovn-bridge-datapath-type=netdev
}

controller_start() {
  if ! pid_alive /run/ovn/ovn-controller.pid; then
    "$OVN_CTL" start_controller >/dev/null
  fi
  local i
  for i in $(seq 50); do
    ovs-vsctl br-exists br-int 2>/dev/null && return 0
    sleep 0.2
  done
  die "ovn-controller did not create br-int"
}

controller_stop() {
  pid_alive /run/ovn/ovn-controller.pid && "$OVN_CTL" stop_controller >/dev/null
  return 0
}

start_incusd() {
  # The shared harness starts a daemon, makes its `default` pool and its busybox image;
  # here it does so for the OVN daemon (INCUS_DIR/INCUS_SOCKET above, state of its own).
  ATLAS_INCUS_STATE_DIR="$STATE_DIR/incusd" bash "$HERE/incus-test-daemon.sh" up
}

network_id() {
  incus admin sql global "SELECT id FROM networks WHERE name='$UPLINK'" --format csv,noheader 2>/dev/null
}

wire_incus() {
  if [ "$(incus config get network.ovn.northbound_connection)" != "$NB_CONNECTION" ]; then
    incus config set network.ovn.northbound_connection "$NB_CONNECTION"
  fi
  if ! incus network show "$UPLINK" >/dev/null 2>&1; then
    incus network create "$UPLINK" ipv4.address="$UPLINK_ADDRESS" ipv4.nat=false \
      ipv6.address=none ipv4.dhcp.ranges=10.240.0.50-10.240.0.99 \
      ipv4.ovn.ranges="$OVN_RANGES" ipv4.routes="$OVN_ROUTES" >/dev/null
  fi
  local id
  id="$(network_id)"
  [ -n "$id" ] || die "network $UPLINK has no id"
  # Incus creates the uplink's OVS bridge incusovn<id> without a datapath type (the
  # kernel's), which fails here; pre-created as netdev, Incus reuses it. A restarted incusd
  # resets it: run `up` again after one.
  ovs-vsctl --may-exist add-br "incusovn$id" -- set bridge "incusovn$id" datapath_type=netdev
  echo "$id" >"$STATE_DIR/uplink.id"
  # Incus deletes that bridge with the uplink's last OVN network and would re-create it
  # without netdev: an OVN network of the harness's own keeps it for the whole run.
  if ! incus network show "$PIN_NETWORK" >/dev/null 2>&1; then
    incus network create "$PIN_NETWORK" --type=ovn network="$UPLINK" \
      ipv4.address=10.241.255.1/24 ipv4.nat=false ipv6.address=none >/dev/null
  fi
  fix_uplink_offload
}

# Fixes the uplink veth once it exists (it appears with the first OVN network).
fix_uplink_offload() {
  local id
  id="$(cat "$STATE_DIR/uplink.id" 2>/dev/null || true)"
  [ -n "$id" ] && ip link show "incusovn${id}a" >/dev/null 2>&1 &&
    ethtool -K "incusovn${id}a" tx off >/dev/null 2>&1
  return 0
}

# tx checksum offload off on an instance's eth0 (test machines only, see the header).
fix_offload() {
  local instance="$1" project="${2:-default}" pid
  pid="$(incus query "/1.0/instances/$instance/state?project=$project" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["pid"])')"
  [ -n "$pid" ] && [ "$pid" != 0 ] || die "instance $instance (project $project) is not running"
  nsenter -t "$pid" -n ethtool -K eth0 tx off >/dev/null
  fix_uplink_offload
}

cmd_up() {
  local t0=$SECONDS
  install_packages
  mkdir -p "$STATE_DIR"
  start_ovs
  start_ovn_central
  if [ "${ATLAS_OVN_START_CONTROLLER:-1}" = 1 ]; then controller_start; fi
  start_incusd
  wire_incus
  log "ready in $((SECONDS - t0))s: INCUS_DIR=$INCUS_DIR uplink $UPLINK ($UPLINK_ADDRESS, VIPs $OVN_RANGES, routes $OVN_ROUTES), northbound $NB_CONNECTION"
}

incusd_pid() {
  local f="$STATE_DIR/incusd/incusd.pid"
  [ -f "$f" ] && tr '\0' ' ' <"/proc/$(cat "$f")/cmdline" 2>/dev/null | grep -q incusd && cat "$f"
}

# Removes everything the OVN daemon made, so that no bridge, veth or OVN object outlives it.
empty_incusd() {
  local project instance network lb
  for project in $(incus project list --format csv -c n 2>/dev/null | sed 's/ (current)//'); do
    for instance in $(incus list --project "$project" --format csv -c n 2>/dev/null); do
      incus delete --force --project "$project" "$instance" >/dev/null 2>&1 || true
    done
    for network in $(incus network list --project "$project" --format csv 2>/dev/null | awk -F, '$2=="ovn"{print $1}'); do
      for lb in $(incus network load-balancer list "$network" --project "$project" --format csv 2>/dev/null | cut -d, -f1); do
        incus network load-balancer delete "$network" "$lb" --project "$project" >/dev/null 2>&1 || true
      done
      incus network delete "$network" --project "$project" >/dev/null 2>&1 || true
    done
  done
  for network in $(incus network list --format csv 2>/dev/null | awk -F, '$3=="YES"{print $1}'); do
    incus network delete "$network" >/dev/null 2>&1 || true
  done
}

cmd_down() {
  local pid
  if pid="$(incusd_pid)"; then
    log "emptying and stopping the OVN incusd (pid $pid)"
    timeout 120 bash -c "$(declare -f empty_incusd); empty_incusd" || true
    timeout 60 incus admin shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # The daemon's mounts (shmounts, guestapi, storage) under its INCUS_DIR.
  local m
  for m in $(awk -v d="$INCUS_DIR" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf "$INCUS_DIR"
  # Then OVN and OVS: bridges first, while vswitchd can still remove their devices.
  controller_stop
  if pid_alive /run/ovn/ovn-northd.pid || [ -S /run/ovn/ovnnb_db.sock ]; then
    "$OVN_CTL" stop_northd >/dev/null 2>&1 || true
  fi
  if pid_alive /run/openvswitch/ovsdb-server.pid; then
    local br
    for br in $(ovs-vsctl list-br 2>/dev/null); do ovs-vsctl --if-exists del-br "$br"; done
  fi
  "$OVS_CTL" stop >/dev/null 2>&1 || true
  if pid_alive /run/openvswitch/ovs-vswitchd.pid; then kill "$(cat /run/openvswitch/ovs-vswitchd.pid)"; fi
  local dev
  for dev in $UPLINK br-int ovs-netdev; do
    ip link show "$dev" >/dev/null 2>&1 && ip link del "$dev" 2>/dev/null
  done
  rm -rf "$STATE_DIR"
  log "down"
}

cmd_status() {
  local ok=0
  pid_alive /run/openvswitch/ovs-vswitchd.pid || {
    log "ovs-vswitchd not running"
    ok=1
  }
  pid_alive /run/ovn/ovn-northd.pid || {
    log "ovn-northd not running"
    ok=1
  }
  pid_alive /run/ovn/ovn-controller.pid || log "ovn-controller not running (no chassis)"
  if [ -S "$INCUS_SOCKET" ] && timeout 10 incus query /1.0 >/dev/null 2>&1; then
    [ "$(incus config get network.ovn.northbound_connection)" = "$NB_CONNECTION" ] ||
      log "the OVN incusd is not pointed at $NB_CONNECTION"
  else
    log "the OVN incusd does not answer on $INCUS_SOCKET"
    ok=1
  fi
  [ $ok = 0 ] && log "up: INCUS_DIR=$INCUS_DIR"
  return $ok
}

case "${1:-}" in
  install) install_packages ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) printf 'INCUS_DIR=%s\nINCUS_SOCKET=%s\nATLAS_OVN_UPLINK=%s\n' "$INCUS_DIR" "$INCUS_SOCKET" "$UPLINK" ;;
  controller)
    case "${2:-}" in
      start) controller_start ;;
      stop) controller_stop ;;
      *) die "usage: $0 controller start|stop" ;;
    esac
    ;;
  fix-offload) fix_offload "${2:?instance}" "${3:-default}" ;;
  *)
    echo "usage: $0 install|up|down|status|env|controller start|stop|fix-offload <instance> [project]" >&2
    exit 2
    ;;
esac
