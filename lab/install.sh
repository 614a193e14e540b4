#!/usr/bin/env bash
# Installs what the project needs on a Debian 12 machine (root): the build's C libraries, shellcheck and,
# unless --build-only, the lab (QEMU, Debian's kernel with dm-multipath/scsi_debug, udev,
# multipath-tools for side-by-side runs, virtme-ng).
set -euo pipefail
build_pkgs=(libudev-dev libdevmapper-dev libaio-dev pkg-config shellcheck)
lab_pkgs=(qemu-system-x86 linux-image-amd64 multipath-tools sg3-utils udev kmod busybox-static file open-iscsi nvme-cli fio jq)
want=("${build_pkgs[@]}")
[ "${1:-}" = --build-only ] || want+=("${lab_pkgs[@]}")
missing=()
for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # udev and multipath-tools try to start their services on the host: forbid that during install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${1:-}" != --build-only ] && ! command -v vng >/dev/null 2>&1; then
  command -v pip >/dev/null || apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  # Debian's own pip refuses system-wide installs (PEP 668) unless told; a pyenv pip installs as asked.
  pip install -q virtme-ng || pip install -q --break-system-packages virtme-ng
fi
