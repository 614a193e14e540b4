# A DM event caused through our DM edge (fail_path, then reinstate_path) makes /dev/mapper/control
# readable (DM_DEV_ARM_POLL) within 100 ms, and the device list then shows labmp's event number moved.
. "$LAB_REPO/lab/guest/dm-paths.sh"
dm_cases_prepare
must "$labtool" create labmp 1Linux_scsi_debug_2000 32768 "$(labmp_table)"
dev=$(cat "/sys/block/$(scsi_debug_disks | head -1)/dev")
for message in "fail_path $dev" "reinstate_path $dev"; do
  out=$("$labtool" dm-event labmp "$message" 2>&1) || fail "dm-event $message: $out"
  read -r us changes <<<"$out"
  echo "$message: event after $us us: $changes"
  [ "$us" -le 100000 ] || fail "$message: DM event after $us us (limit 100 ms)"
  echo "$out" | grep -q 'labmp ([0-9]*:[0-9]*) event [0-9]* -> [0-9]*' || fail "$message: labmp's event number did not move: $out"
done
must udevadm settle --timeout=20  # udev may still be reading the map after the events
must "$labtool" remove labmp
