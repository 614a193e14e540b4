# Every scsi_debug path as our udev + sysfs edge sees it: dev_t and size equal sysfs, H:C:T:L equals the
# disk's `device` link, and the WWID equals udev's ID_SERIAL (the default uid_attribute).
. "$LAB_REPO/lab/guest/dm-paths.sh"
scsi_debug_ensure
paths=$("$labtool" paths) || fail "labtool paths failed"
n=0
for name in $(scsi_debug_disks); do
  line=$(echo "$paths" | awk -v n="$name" '$1 == n') || true
  [ -n "$line" ] || fail "$name not listed: $paths"
  set -- $line
  want_hctl=$(basename "$(readlink /sys/block/$name/device)")
  want_wwid=$(udevadm info --query=property --name="$name" | sed -n 's/^ID_SERIAL=//p')
  [ "$2" = "$(cat /sys/block/$name/dev)" ] || fail "$name: dev_t $2, sysfs $(cat /sys/block/$name/dev)"
  [ "$3" = "$want_hctl" ] || fail "$name: H:C:T:L $3, device link $want_hctl"
  [ "$4" = "$want_wwid" ] || fail "$name: WWID $4, ID_SERIAL $want_wwid"
  [ "$5" = "$(cat /sys/block/$name/size)" ] || fail "$name: size $5, sysfs $(cat /sys/block/$name/size)"
  n=$((n + 1))
done
[ $n -ge 2 ] || fail "expected at least 2 scsi_debug paths, found $n"
echo "$n paths match"
