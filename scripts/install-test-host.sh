#!/usr/bin/env bash
# Installs the real validators the template tests run (promtool, amtool, cloud-init,
# mosquitto) and the daemons the contract tests start (Prometheus, Alertmanager,
# node-exporter, Mosquitto, with curl, dig, iproute2 and nftables for their network
# namespaces) from Debian. Needs root; idempotent. The Incus daemon has its own script
# (scripts/incus-test-daemon.sh); CoreDNS is built by scripts/coredns-build.sh.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(prometheus prometheus-alertmanager prometheus-node-exporter mosquitto mosquitto-clients cloud-init openssl busybox-static bind9-utils bind9-dnsutils python3-venv curl iproute2 nftables)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "validators already installed: ${packages[*]}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-host: missing ${missing[*]}; run as root (sudo $0)" >&2
  exit 1
fi
echo "installing ${missing[*]}"
apt-get update -q
# Package scripts must not start the daemons (tests start their own on loopback ports).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -q --no-install-recommends "${missing[@]}"
