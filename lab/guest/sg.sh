# Helpers for the SG cases (sourced after lib.sh): labtool, the scsi_debug and tcm_loop paths and their
# sg devices. Every case leaves the devices as it found them (running, no dropped commands, ALUA optimized).
labtool=$(dirname "$LAB_BIN")/labtool
[ -x "$labtool" ] || fail "$labtool is missing: build it first (swift build --product labtool)"
# shellcheck disable=SC2034  # for the cases that source this file
sdebug=/sys/bus/pseudo/drivers/scsi_debug

# Prints "sdX sgN H:C:T:L" for every scsi_debug disk, loading scsi_debug (2 paths to one LUN) and sg first.
sdebug_paths() {
  must modprobe sg
  [ -d /sys/module/scsi_debug ] || must modprobe scsi_debug add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=16 ptype=0
  udevadm settle -t 10
  local d
  for d in /sys/bus/scsi/devices/*:*:*:*; do
    grep -q scsi_debug "$d/model" 2>/dev/null || continue
    [ -d "$d/block" ] && [ -d "$d/scsi_generic" ] || continue
    echo "$(ls "$d/block") $(ls "$d/scsi_generic") $(basename "$d")"
  done
}

# labtool tur's result line for one device: "result /dev/sgN STATE after_ms=.. ...".
result_of() { echo "$2" | grep "^result $1 " || echo "no result for $1"; }
field() { echo "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p"; }
