# Target messages through our DM edge show in `dmsetup status`: fail_path marks the path F with a fail
# count of 1, reinstate_path marks it A again, queue_if_no_path shows in the table. A message to a
# suspended map comes back as "busy" (to be retried), not as a failure.
. "$LAB_REPO/lab/guest/dm-paths.sh"
dm_cases_prepare
must "$labtool" create labmp 1Linux_scsi_debug_2000 32768 "$(labmp_table)"
dev=$(cat "/sys/block/$(scsi_debug_disks | head -1)/dev")
must "$labtool" message labmp fail_path "$dev"
dmsetup status labmp | grep -q " $dev F 1 " || fail "after fail_path: $(dmsetup status labmp)"
# The status moves on its own (the kernel picks a current group, stops queueing): compare a reading of
# ours taken between two equal readings of the kernel's.
kstatus() { dmsetup status labmp | sed 's/^0 32768 multipath //; s/ $//'; }
status_between_equal_readings() {
  before=$(kstatus); ours=$("$labtool" status labmp) || fail "labtool status failed"; after=$(kstatus)
  [ "$before" = "$after" ]
}
wait_until 2 status_between_equal_readings || true
[ "$ours" = "$after" ] || fail "status: kernel '$after', ours '$ours'"
must "$labtool" message labmp reinstate_path "$dev"
dmsetup status labmp | grep -q " $dev A 1 " || fail "after reinstate_path: $(dmsetup status labmp)"
must "$labtool" message labmp queue_if_no_path
dmsetup table labmp | grep -q ' queue_if_no_path ' || fail "after queue_if_no_path: $(dmsetup table labmp)"
must "$labtool" message labmp fail_if_no_path
out=$("$labtool" busy-message labmp fail_path "$dev" 2>/dev/null) || fail "busy-message failed"
[ "$out" = busy ] || fail "message to a suspended map: '$out'"
dmsetup info labmp | grep -q 'State: *ACTIVE' || fail "labmp not resumed: $(dmsetup info labmp | grep State)"
dmsetup status labmp | grep -q " $dev A 1 " || fail "the refused message changed the map: $(dmsetup status labmp)"
must udevadm settle --timeout=20  # udev may still be reading the map after the suspend and resume
must "$labtool" remove labmp
echo ok
