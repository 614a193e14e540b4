# Helpers for the device-mapper and path cases (sourced after lab/guest/lib.sh).

labtool=$(dirname "$LAB_BIN")/labtool
[ -x "$labtool" ] || fail "$labtool is missing: build it (swift build --product labtool)"

# Two scsi_debug paths to one LUN, loaded unless an earlier case did.
scsi_debug_ensure() {
  if [ ! -d /sys/module/scsi_debug ]; then
    must modprobe scsi_debug add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=16 ptype=0
  fi
  must udevadm settle --timeout=20
}

# The scsi_debug disks' kernel names, one per line.
scsi_debug_disks() {
  local d
  for d in /sys/block/sd*; do
    [ "$(tr -d ' ' <"$d/device/model" 2>/dev/null)" = scsi_debug ] && basename "$d"
  done
}

# Our maps use the scsi_debug paths: no other holder may have them. The daemon will build its own
# maps over these paths once it manages maps, so it is stopped here (later cases start it again).
dm_cases_prepare() {
  daemon_kill
  must modprobe dm_multipath
  must modprobe dm_round_robin
  dmsetup remove labmp >/dev/null 2>&1 || true
  scsi_debug_ensure
}

# A round-robin table over every scsi_debug path, in the kernel's own spelling.
labmp_table() {
  local devs=() d
  for d in $(scsi_debug_disks); do devs+=("$(cat /sys/block/"$d"/dev) 1"); done
  echo "0 0 1 1 round-robin 0 ${#devs[@]} 1 ${devs[*]}"
}
