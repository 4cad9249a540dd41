#!/usr/bin/env bash
# The lab: a homelab in a box for the e2e suites that need more than one Incus server.
#
#   scripts/incus-lab.sh up       build the lab (idempotent: a running lab is only checked)
#   scripts/incus-lab.sh down     stop and remove all of it; leaves nothing behind
#   scripts/incus-lab.sh status   exit 0 when every daemon answers; prints remotes and usage
#   scripts/incus-lab.sh env      the variables a client needs (INCUS_CONF, remote names)
#   scripts/incus-lab.sh exec <remote> <project> <instance> -- <cmd...>
#                                 run a command in a lab container (as `incus exec`)
#   scripts/incus-lab.sh lan -- <cmd...>
#                                 run a command on the LAN, from the operator's machine
#   scripts/incus-lab.sh stop-member <member> | start-member <member>
#                                 stop (SIGKILL, a crash) or start one cluster member's daemon
#
# What it builds, all on this machine:
# - a host bridge `atlaslab-lan` playing the LAN, 10.77.0.0/24 (no other suite uses it;
#   nothing is routed or NATed off the machine: the namespaces have no default route);
# - network namespaces, each joined to the LAN by a veth pair: `atlaslab-iapetus` (the
#   control-plane host, 10.77.0.10), `atlaslab-node01..03` (cluster01's members,
#   10.77.0.11-13) and `atlaslab-op` (an operator's machine on the LAN, 10.77.0.2);
# - one incusd per host namespace with its own INCUS_DIR (/var/lib/atlas-lab/<host>):
#   iapetus standalone, node01..03 one 3-member cluster; a `default` dir pool and the
#   busybox test image `atlas-test` on both;
# - an incus client configuration of its own (INCUS_CONF=$STATE_DIR/conf) with the remotes
#   `lab-iapetus` and `lab-cluster01`, added as an operator does: a trust token issued by
#   the server, `incus remote add <name> <token>` over HTTPS, the server certificate
#   checked against the fingerprint the token carries (never --accept-certificate).
#
# The shared test daemon (scripts/incus-test-daemon.sh, /var/lib/incus) is not touched.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${ATLAS_LAB_STATE_DIR:-/tmp/atlas-incus-lab}"
LAB_DIR="${ATLAS_LAB_INCUS_DIRS:-/var/lib/atlas-lab}"
CONF_DIR="$STATE_DIR/conf"
INCUSD=/usr/libexec/incus/incusd
IMAGE_ALIAS="${ATLAS_INCUS_TEST_IMAGE:-atlas-test}"
BRIDGE=atlaslab-lan
LAN_PREFIX=10.77.0
LAN_GATEWAY="$LAN_PREFIX.1"
OPERATOR_NS=atlaslab-op
OPERATOR_ADDRESS="$LAN_PREFIX.2"
MEMBERS="node01 node02 node03"
HOSTS="iapetus $MEMBERS"
IAPETUS_REMOTE=lab-iapetus
CLUSTER_REMOTE=lab-cluster01

log() { printf '[incus-lab] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

host_address() {
  case "$1" in
    iapetus) echo "$LAN_PREFIX.10" ;;
    node01) echo "$LAN_PREFIX.11" ;;
    node02) echo "$LAN_PREFIX.12" ;;
    node03) echo "$LAN_PREFIX.13" ;;
    *) die "unknown lab host '$1' (allowed: $HOSTS)" ;;
  esac
}
netns_of() { echo "atlaslab-$1"; }
incus_dir_of() { echo "$LAB_DIR/$1"; }

# Processes a host's daemon started (forkproxy, its containers' monitors, ...): they carry
# its INCUS_DIR in their environment. A proxy device's forkproxy moves into its container's
# namespace, so `ip netns pids` of the host misses it, and it outlives daemon and container
# (seen after lab runs: two held 10.77.0.13:9100 with node03's daemon long gone). Ended at
# `down` only: a member stopped to simulate a crash keeps its containers running.
daemon_children() {
  local want="INCUS_DIR=$(incus_dir_of "$1")" env
  for env in /proc/[0-9]*/environ; do
    # A process may end or be unreadable while this reads: it is skipped.
    if { tr '\0' '\n' <"$env"; } 2>/dev/null | grep -qxF "$want"; then
      env="${env#/proc/}"
      echo "${env%/environ}"
    fi
  done
}
# The host's end of a namespace's veth pair (interface names: at most 15 characters).
veth_of() { echo "alab-$1"; }

# The incus CLI against one lab daemon's unix socket (admin operations).
lincus() {
  local host="$1"
  shift
  INCUS_DIR="$(incus_dir_of "$host")" INCUS_CONF="$STATE_DIR/admin-$host" \
    INCUS_SOCKET="$(incus_dir_of "$host")/unix.socket" incus "$@"
}

# The incus CLI as the operator: the lab's remotes over HTTPS.
rincus() { INCUS_CONF="$CONF_DIR" incus "$@"; }

daemon_pid() {
  local f="$STATE_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep incusd >/dev/null || return 1
  echo "$pid"
}

daemon_answers() {
  local sock
  sock="$(incus_dir_of "$1")/unix.socket"
  [ -S "$sock" ] && timeout 10 env INCUS_DIR="$(incus_dir_of "$1")" INCUS_SOCKET="$sock" \
    INCUS_CONF="$STATE_DIR/admin-$1" incus query /1.0 >/dev/null 2>&1
}

lan_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  # Captured first: with pipefail, grep -q closing the pipe early fails the pipeline.
  [[ "$(ip -4 -o addr show dev "$BRIDGE")" == *"inet $LAN_GATEWAY/24"* ]] ||
    ip addr add "$LAN_GATEWAY/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# A namespace joined to the LAN at an address, loopback up.
netns_up() {
  local ns="$1" veth="$2" address="$3"
  ip netns list | awk '{print $1}' | grep -x "$ns" >/dev/null || ip netns add "$ns"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name lan0 netns "$ns"
    ip link set "$veth" master "$BRIDGE" up
  fi
  ip netns exec "$ns" ip link set lo up
  [[ "$(ip netns exec "$ns" ip -4 -o addr show dev lan0)" == *"inet $address/24"* ]] ||
    ip netns exec "$ns" ip addr add "$address/24" dev lan0
  ip netns exec "$ns" ip link set lan0 up
  # No default route: the lab's traffic is the LAN's (the hosts' own subnet). The stacks'
  # bridges NAT onto a host's LAN address, and this machine forwards, so a default route
  # would let whatever a container sends elsewhere leave the machine.
  ip netns exec "$ns" ip route del default 2>/dev/null || true
}

# Shell commands that rebuild the host's /sys/fs/cgroup (a tmpfs with cgroup v1 hierarchies,
# or one cgroup2 mount) inside a namespace's fresh /sys.
cgroup_mounts() {
  awk '$2 == "/sys/fs/cgroup" && $3 == "cgroup2" { print "mount -t cgroup2 none /sys/fs/cgroup;" }
       $2 == "/sys/fs/cgroup" && $3 == "tmpfs" { print "mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup;" }
       $2 ~ "^/sys/fs/cgroup/" && $3 == "cgroup" {
         print "mkdir -p " $2 "; mount -t cgroup -o " $4 " cgroup " $2 ";" }' /proc/self/mounts
}

start_daemon() {
  local host="$1" dir
  dir="$(incus_dir_of "$host")"
  daemon_answers "$host" && return 0
  mkdir -p "$dir" "$STATE_DIR/admin-$host"
  log "starting incusd for $host in $(netns_of "$host") (INCUS_DIR=$dir)"
  # setsid: the daemon outlives this script; ip netns exec puts it in the host's namespace.
  # ip netns exec also gives it a fresh /sys (the namespace's interfaces, which incusd reads
  # for its bridges) without the cgroup mounts under it, and without them no container
  # with limits starts: the host's cgroup layout is mounted again first (same hierarchies).
  setsid ip netns exec "$(netns_of "$host")" sh -c "cd / && $(cgroup_mounts) exec env INCUS_DIR='$dir' \
    '$INCUSD' --group root --logfile '$STATE_DIR/$host.log'" </dev/null \
    >>"$STATE_DIR/$host.out" 2>&1 &
  echo $! >"$STATE_DIR/$host.pid"
  if ! INCUS_DIR="$dir" timeout 90 incus admin waitready --timeout 60; then
    tail -n 30 "$STATE_DIR/$host.log" "$STATE_DIR/$host.out" >&2 || true
    die "incusd for $host did not become ready"
  fi
}

https_on() {
  local host="$1" want
  want="$(host_address "$host"):8443"
  [ "$(lincus "$host" config get core.https_address)" = "$want" ] ||
    lincus "$host" config set core.https_address "$want"
}

is_clustered() {
  lincus "$1" query /1.0 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["environment"].get("server_clustered") else 1)'
}

member_online() {
  lincus node01 cluster list --format csv -c ns 2>/dev/null | grep -x "$1,ONLINE" >/dev/null
}

form_cluster() {
  https_on node01
  if ! is_clustered node01; then
    log "enabling clustering on node01"
    lincus node01 cluster enable node01 >/dev/null
  fi
  local member token
  for member in node02 node03; do
    if lincus node01 cluster list --format csv -c n | grep -x "$member" >/dev/null; then continue; fi
    log "joining $member"
    token="$(lincus node01 cluster add "$member" --quiet)"
    lincus "$member" admin init --preseed <<EOF
cluster:
  enabled: true
  server_name: $member
  server_address: $(host_address "$member"):8443
  cluster_token: $token
EOF
  done
  for member in $MEMBERS; do
    member_online "$member" || die "cluster member $member is not ONLINE after joining"
  done
}

cluster_pool() {
  local state member
  state="$(lincus node01 query /1.0/storage-pools/default 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || true)"
  [ "$state" = "Created" ] && return 0
  for member in $MEMBERS; do
    lincus node01 storage create default dir --target "$member" >/dev/null 2>&1 || true
  done
  lincus node01 storage create default dir >/dev/null
}

# The test image and the standalone pool, from the shared harness (same image version).
prepare_images() {
  local host
  for host in iapetus node01; do
    INCUS_DIR="$(incus_dir_of "$host")" INCUS_SOCKET="$(incus_dir_of "$host")/unix.socket" \
      INCUS_CONF="$STATE_DIR/admin-$host" ATLAS_INCUS_STATE_DIR="$STATE_DIR/harness-$host" \
      bash "$HERE/incus-test-daemon.sh" up 2>&1 | sed 's/^/    /' >&2
  done
}

# A remote the operator's way: a trust token, then `incus remote add <name> <token>`.
add_remote() {
  local name="$1" host="$2" token
  if rincus remote list --format csv 2>/dev/null | cut -d, -f1 | sed 's/ (current)//' | grep -x "$name" >/dev/null; then
    rincus query "$name:/1.0" >/dev/null && return 0
    rincus remote remove "$name"
  fi
  https_on "$host"
  token="$(lincus "$host" config trust add "atlas-lab-$name" --quiet)"
  log "adding remote $name (https://$(host_address "$host"):8443, trust token)"
  rincus remote add "$name" "$token" >/dev/null
}

cmd_up() {
  local t0=$SECONDS host
  [ "$(id -u)" = 0 ] || die "must run as root (namespaces, bridges, incusd)"
  [ -x "$INCUSD" ] || bash "$HERE/incus-test-daemon.sh" status >/dev/null 2>&1 ||
    die "incus is not installed (scripts/incus-test-daemon.sh up installs it)"
  mkdir -p "$STATE_DIR" "$CONF_DIR" "$LAB_DIR"
  lan_up
  netns_up "$OPERATOR_NS" "alab-op" "$OPERATOR_ADDRESS"
  for host in $HOSTS; do
    netns_up "$(netns_of "$host")" "$(veth_of "$host")" "$(host_address "$host")"
    start_daemon "$host"
  done
  https_on iapetus
  form_cluster
  cluster_pool
  prepare_images
  add_remote "$IAPETUS_REMOTE" iapetus
  add_remote "$CLUSTER_REMOTE" node01
  log "ready in $((SECONDS - t0))s"
  cmd_status
}

cmd_status() {
  local ok=0 host
  for host in $HOSTS; do
    if daemon_answers "$host"; then
      log "$host: incusd answers ($(host_address "$host"):8443, INCUS_DIR=$(incus_dir_of "$host"))"
    else
      log "$host: incusd not running"
      ok=1
    fi
  done
  if [ "$ok" = 0 ]; then
    rincus cluster list "$CLUSTER_REMOTE:" --format csv -c nus 2>/dev/null | sed 's/^/[incus-lab]   member /' >&2 || ok=1
    rincus query "$IAPETUS_REMOTE:/1.0" >/dev/null 2>&1 || ok=1
  fi
  cat <<EOF
remotes (HTTPS, trust-token enrolled): $IAPETUS_REMOTE (iapetus, $(host_address iapetus)) $CLUSTER_REMOTE (cluster01: $MEMBERS)
use them:  export INCUS_CONF=$CONF_DIR
           incus list $CLUSTER_REMOTE:            pulumi config set incus:remote $CLUSTER_REMOTE
in a container:   $0 exec $CLUSTER_REMOTE <project> <instance> -- <cmd>
on the LAN ($OPERATOR_ADDRESS): $0 lan -- <cmd>
EOF
  return "$ok"
}

cmd_env() {
  cat <<EOF
INCUS_CONF=$CONF_DIR
ATLAS_LAB_IAPETUS_REMOTE=$IAPETUS_REMOTE
ATLAS_LAB_CLUSTER_REMOTE=$CLUSTER_REMOTE
ATLAS_LAB_IAPETUS_ADDRESS=$(host_address iapetus)
ATLAS_LAB_MEMBERS=$MEMBERS
ATLAS_LAB_OPERATOR_ADDRESS=$OPERATOR_ADDRESS
EOF
}

# Stops one daemon: `incus admin shutdown` (instances stopped cleanly), or with `kill` a
# crash (SIGKILL; its containers keep running, as on a member that lost its daemon).
stop_daemon() {
  local host="$1" mode="${2:-shutdown}" pid i p
  pid="$(daemon_pid "$host")" || return 0
  log "stopping incusd of $host (pid $pid, $mode)"
  if [ "$mode" = shutdown ]; then
    timeout 60 env INCUS_DIR="$(incus_dir_of "$host")" INCUS_CONF="$STATE_DIR/admin-$host" \
      incus admin shutdown >/dev/null 2>&1 || true
  fi
  kill -9 "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  # The bridges' dnsmasq outlive a killed daemon and would keep their addresses from the
  # restarted one: end every process left in the host's namespace (that namespace only,
  # never by name; containers live in namespaces of their own).
  for p in $(ip netns pids "$(netns_of "$host")" 2>/dev/null); do
    kill -9 "$p" 2>/dev/null || true
  done
  rm -f "$STATE_DIR/$host.pid"
}

cmd_down() {
  local host m dir
  for host in $HOSTS; do stop_daemon "$host"; done
  for host in $HOSTS; do
    dir="$(incus_dir_of "$host")"
    for m in $(awk -v d="$dir/" 'index($2, d) == 1 || $2 == substr(d, 1, length(d) - 1) {print $2}' /proc/mounts | sort -r); do
      umount -l "$m" 2>/dev/null || true
    done
  done
  for host in $HOSTS op; do
    # What a daemon leaves running in its namespace when it is stopped (its proxy devices'
    # forkproxy processes) would keep the namespace, and its listeners, alive.
    { ip netns pids "atlaslab-$host" 2>/dev/null; daemon_children "$host"; } |
      xargs -r kill -9 2>/dev/null || true
    ip netns del "atlaslab-$host" 2>/dev/null || true
    ip link del "alab-$host" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  # Links the daemons' bridges left behind in the host's namespace: none are created there
  # (each daemon lives in its own namespace), so only the lab's own names are removed.
  rm -rf "$LAB_DIR" "$STATE_DIR"
  log "down"
}

cmd_exec() {
  local remote="$1" project="$2" instance="$3"
  shift 3
  [ "${1:-}" = "--" ] && shift
  rincus exec "$remote:$instance" --project "$project" -- "$@"
}

cmd_lan() {
  [ "${1:-}" = "--" ] && shift
  ip netns exec "$OPERATOR_NS" "$@"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  exec)
    shift
    [ $# -ge 4 ] || die "usage: $0 exec <remote> <project> <instance> -- <cmd...>"
    cmd_exec "$@"
    ;;
  lan)
    shift
    cmd_lan "$@"
    ;;
  stop-member)
    case "${2:-}" in node01 | node02 | node03) stop_daemon "$2" kill ;; *) die "stop-member: '${2:-}' is not a cluster member (allowed: $MEMBERS)" ;; esac
    ;;
  start-member)
    case "${2:-}" in node01 | node02 | node03) start_daemon "$2" ;; *) die "start-member: '${2:-}' is not a cluster member (allowed: $MEMBERS)" ;; esac
    ;;
  *)
    echo "usage: $0 up|down|status|env|exec|lan|stop-member|start-member" >&2
    exit 2
    ;;
esac
