# A multipath map created through our DM edge appears in `dmsetup ls` with UUID mpath-<wwid>, its table
# as the kernel prints it equals our parse-and-render of it, and our remove makes it disappear. udev
# makes /dev/mapper/labmp without us waiting for it.
. "$LAB_REPO/lab/guest/dm-paths.sh"
dm_cases_prepare
table=$(labmp_table)
must "$labtool" create labmp 1Linux_scsi_debug_2000 32768 "$table"
dmsetup ls | grep -q '^labmp' || fail "labmp not in dmsetup ls: $(dmsetup ls)"
uuid=$(dmsetup info -c --noheadings -o uuid labmp)
[ "$uuid" = mpath-1Linux_scsi_debug_2000 ] || fail "uuid $uuid"
kernel=$(dmsetup table labmp | sed 's/^0 32768 multipath //; s/ $//')
ours=$("$labtool" table labmp) || fail "labtool table failed"
[ "$kernel" = "$ours" ] || fail "table: kernel '$kernel', ours '$ours'"
[ "$ours" = "$table" ] || fail "table loaded '$table', read back '$ours'"
"$labtool" maps | grep -q '^labmp [0-9]*:[0-9]* [0-9]* mpath-1Linux_scsi_debug_2000$' ||
  fail "labtool maps does not list labmp: $("$labtool" maps)"
must udevadm settle --timeout=20
[ -e /dev/mapper/labmp ] || fail "udev did not make /dev/mapper/labmp"
must "$labtool" remove labmp
dmsetup ls | grep -q '^labmp' && fail "labmp still in dmsetup ls after remove"
out=$("$labtool" remove labmp 2>&1) && fail "removing a missing map succeeded"
echo "$out" | grep -q 'no such map' || fail "second remove: $out"
echo ok
