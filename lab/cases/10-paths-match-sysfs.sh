# Every scsi_debug path as our udev + sysfs edge sees it: dev_t and size equal sysfs, H:C:T:L equals the
# disk's `device` link, and the WWID equals udev's ID_SERIAL (the default uid_attribute).
. "$LAB_REPO/lab/guest/dm-paths.sh"
scsi_debug_ensure
paths=$("$labtool" paths) || fail "labtool paths failed"
n=0
for name in $(scsi_debug_disks); do
  line=$(echo "$paths" | awk -v n="$name" '$1 == n') || true
  [ -n "$line" ] || fail "$name not listed: $paths"
  read -r _ devt hctl wwid size _ <<<"$line"
  want_hctl=$(basename "$(readlink /sys/block/"$name"/device)")
  want_wwid=$(udevadm info --query=property --name="$name" | sed -n 's/^ID_SERIAL=//p')
  [ "$devt" = "$(cat /sys/block/"$name"/dev)" ] || fail "$name: dev_t $devt, sysfs $(cat /sys/block/"$name"/dev)"
  [ "$hctl" = "$want_hctl" ] || fail "$name: H:C:T:L $hctl, device link $want_hctl"
  [ "$wwid" = "$want_wwid" ] || fail "$name: WWID $wwid, ID_SERIAL $want_wwid"
  [ "$size" = "$(cat /sys/block/"$name"/size)" ] || fail "$name: size $size, sysfs $(cat /sys/block/"$name"/size)"
  n=$((n + 1))
done
[ $n -ge 2 ] || fail "expected at least 2 scsi_debug paths, found $n"
echo "$n paths match"
