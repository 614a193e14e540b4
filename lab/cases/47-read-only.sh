# Read-only paths, Debian's multipathd 0.9.4 then ours, same configuration: scsi_debug's write-protect
# switch (global) plus a rescan of one disk makes the kernel revalidate it, turn it read-only and send a
# change uevent with DISK_RO=1 (`blockdev --setro` sends none). A map turns read-only when one path
# does, and writable again only once every path is.
# lab-timeout: 320
. "$LAB_REPO/lab/guest/scenario.sh"
# The driver attribute .../drivers/scsi_debug/wp is read-only; the module parameter is writable.
wp=/sys/module/scsi_debug/parameters/wp
# map_mode_is ro|rw TIMEOUT_S: waits until the map is loaded read-only (or writable).
map_mode_is() { wait_until "$2" map_mode_now "$1"; }
map_mode_now() {
  local now
  if dmsetup info "$map" | grep -q 'READ-ONLY'; then now=ro; else now=rw; fi
  [ "$now" = "$1" ]
}
disk_ro_is() { [ "$(cat /sys/block/"$1"/ro)" = "$2" ]; }
# set_ro DISK 0|1: write protection on, the disk revalidated; waits for its `ro` to follow.
set_ro() {
  echo "$2" >$wp || fail "cannot write $wp"
  echo 1 >/sys/block/"$1"/device/rescan || fail "cannot rescan $1"
  wait_until 10 disk_ro_is "$1" "$2" && return 0
  fail "$1: ro is $(cat /sys/block/"$1"/ro) after scsi_debug wp=$2 and a rescan"
}
for daemon in debian ours; do
  watch_log=$LAB_OUT/watch-$LAB_CASE-$daemon.log
  scenario_begin "$daemon" 2
  scenario_start
  scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with 2 active paths within 60 s"
  map=$(scenario_map)
  mapfile -t disks < <(scenario_disks)
  set -- "${disks[@]}"
  map_mode_is rw 1 || fail "$daemon: $map is read-only at start"
  t=$EPOCHREALTIME
  set_ro "$1" 1
  map_mode_is ro 15 || fail "$daemon: $map stayed writable with $1 read-only"
  scenario_timing "$daemon: $1 read-only -> $map read-only in $(ms_between "$t" "$EPOCHREALTIME") ms"
  set_ro "$2" 1
  set_ro "$1" 0
  sleep 3
  map_mode_is ro 0 || fail "$daemon: $map turned writable while $2 is still read-only"
  t=$EPOCHREALTIME
  set_ro "$2" 0
  map_mode_is rw 15 || fail "$daemon: $map stayed read-only with every path writable"
  scenario_timing "$daemon: last path writable -> $map writable in $(ms_between "$t" "$EPOCHREALTIME") ms"
  dmsetup table "$map"
  scenario_end
done
grep -hE 'write_protect|reload' "$LAB_OUT"/{debian,ours}-"$LAB_CASE".log | tail -n 12
