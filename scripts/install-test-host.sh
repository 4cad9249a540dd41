#!/usr/bin/env bash
# Installs the real validators the template tests run (promtool, amtool, cloud-init,
# mosquitto) from Debian. Needs root; idempotent. The Incus daemon has its own script
# (scripts/incus-test-daemon.sh).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(prometheus prometheus-alertmanager mosquitto mosquitto-clients cloud-init openssl busybox-static bind9-utils python3-venv)
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
