# Debian's multipathd 0.9.4, then ours, with Debian's udev rules (60-multipath, 56-dm-mpath, 11-dm-mpath,
# kpartx): once each daemon has built the map over 2 scsi_debug paths and udev has settled, the paths
# and the map carry the same multipath udev properties (the DM cookie's flags, the claim of the paths);
# and again after the daemon reloaded the map without its second path (the reload flag).
# Each side starts from no wwids file and no failed_wwids, so that both make a map for a new WWID.
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
udev_keys='^(DM_MULTIPATH_DEVICE_PATH|SYSTEMD_READY|ID_FS_TYPE|FIND_MULTIPATHS_WAIT_UNTIL|DM_UDEV_[A-Z_]+|DM_NOSCAN|DM_SUSPENDED|DM_ACTIVATION|DM_SUBSYSTEM_UDEV_FLAG[0-7]|MPATH_DEVICE_READY|MPATH_UNCHANGED|DM_NAME)='
udev_props() { udevadm info --query=property --name="$1" | grep -E "$udev_keys" | sort | paste -sd' '; }
# udev has run 56-dm-mpath.rules on the map's uevent.
map_processed() { udevadm info --query=property --name="$1" 2>/dev/null | grep -q '^MPATH_DEVICE_READY='; }
map_has_paths() { [ "$(dmsetup table "$1" | grep -oE ' [0-9]+:[0-9]+ ' | wc -l)" = "$2" ]; }
steps() {
  local daemon=$1 map dm d i=0 out=$LAB_OUT/udev-$LAB_CASE-$1.txt
  rm -rf /etc/multipath/wwids /run/multipath/failed_wwids
  scenario_begin "$daemon" 2
  scenario_start
  scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with 2 active paths within 60 s"
  map=$(scenario_map)
  dm=dm-$(dmsetup info -c --noheadings -o minor "$map" | tr -d ' ')
  wait_until 60 map_processed "/dev/$dm" || fail "$daemon: udev did not process $map ($dm) within 60 s"
  must udevadm settle --timeout=60
  {
    echo "map: $(udev_props "/dev/$dm")"
    for d in $(scenario_disks); do i=$((i + 1)); echo "path$i: $(udev_props "/dev/$d")"; done
  } >"$out"
  grep -q 'DM_MULTIPATH_DEVICE_PATH=' "$out" || fail "$daemon: no DM_MULTIPATH_DEVICE_PATH on the paths: are Debian's udev rules installed?"
  d=$(scenario_disks | tail -n 1)
  echo 1 >"/sys/block/$d/device/delete" || fail "$daemon: cannot delete $d"
  wait_until 60 map_has_paths "$map" 1 || fail "$daemon: $map not reloaded without $d within 60 s: $(dmsetup table "$map")"
  # settle waits for the kernel's uevents up to now: the reload's came before its table showed.
  must udevadm settle --timeout=60
  echo "map after the reload: $(udev_props "/dev/$dm")" >>"$out"
  echo "path1 after the reload: $(udev_props "/dev/$(scenario_disks | head -n 1)")" >>"$out"
  cat "$out"
}
scenario_both steps
diff -u "$LAB_OUT/udev-$LAB_CASE-debian.txt" "$LAB_OUT/udev-$LAB_CASE-ours.txt" ||
  fail "udev properties differ between debian and ours (see the diff above)"
