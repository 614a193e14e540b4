# Sourced by lab/run.sh and lab/demo.sh. `lab_boot OUT COMMAND` boots Debian's newest kernel under QEMU
# with virtme-ng over a read-only 9p view of this machine (the guest sees this checkout and its .build),
# runs COMMAND in the guest as root, and returns its exit status. OUT is the one folder the guest writes
# through to the host; the console goes to OUT/console.log. LAB_MEMORY (default 512M) and LAB_TIMEOUT
# (seconds, default 3300: the whole lab took 1,695 s on a quiet host, more under load) size the VM and cap the boot.
# The kernel boots with nvme_core.multipath=N: each NVMe path is a block device of its own, for dm-multipath
# (lab/guest/nvme.sh), as it must be before anything loads nvme_core.

# Modules udev's coldplug would load that the lab never needs (kvm_amd alone costs about 3 s under TCG).
lab_blacklist=kvm,kvm_amd,kvm_intel,ahci,libahci,sr_mod,cdrom,iTCO_wdt,i2c_i801,lpc_ich,ccp,aesni_intel,crypto_simd,cryptd,ghash_clmulni_intel,polyval_clmulni,sha512_ssse3,joydev,pcspkr,evdev,serio_raw,psmouse,bochs,drm,virtio_rng

# shellcheck disable=SC2012  # Debian's kernel file names have no spaces; ls prints nothing when none match
lab_kernel() { ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1; }

lab_check() {
  local missing=()
  command -v vng >/dev/null || missing+=(vng)
  command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86_64)
  [ -n "$(lab_kernel)" ] || missing+=(/boot/vmlinuz-*)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "lab: missing ${missing[*]}: run 'bash lab/install.sh' (as root)" >&2
    return 2
  fi
}

lab_boot() {
  local out=$1 command=$2
  # KVM only where a real kvm_intel/kvm_amd is loaded; elsewhere /dev/kvm may exist but cannot run an
  # unmodified kernel, so emulate (TCG) with a capped translation cache.
  local accel=(--disable-kvm --qemu-opts='-accel tcg,thread=multi,tb-size=256')
  if [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; then accel=(); fi
  # stdin from /dev/null: vng fails on a closed stdin (as in CI). timeout takes qemu down with it.
  # The whole run (about 10 minutes with the Debian baselines on a busy 2-core host) must end well within 15 minutes in CI.
  timeout --kill-after=10 "${LAB_TIMEOUT:-3300}" \
    vng --run "$(lab_kernel)" "${accel[@]}" --force-9p --cpus 2 --memory "${LAB_MEMORY:-512M}" \
      --append "modprobe.blacklist=$lab_blacklist nvme_core.multipath=N" \
      --rwdir="$out" --exec "$command" </dev/null >"$out/console.log" 2>&1
}

# A fresh output folder under lab/out/ (git-ignored), also reachable as lab/out/latest.
lab_outdir() {
  local base=$1/lab/out name
  name=$2-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$base/$name"
  ln -sfn "$name" "$base/latest"
  echo "$base/$name"
}

lab_now() { date +%s.%N; }
lab_seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
