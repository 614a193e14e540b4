#!/bin/bash
# Guest side: runs Debian's multipathd 0.9.4 over scsi_debug (two LUNs, two paths each) with the built-in
# configuration, then with a file that has blacklist, blacklist_exceptions and device sections, and
# records `show blacklist`, `show devices`, `show config local` and `show status`: the source of the
# show-*.txt fixtures in Tests/MultipathCoreTests/Fixtures/debian-0.9.4. From the host:
#   . lab/vm.sh; lab_boot OUT "bash $PWD/lab/golden/capture-debian-show.sh OUT"    (OUT: an absolute folder)
out=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$out"
exec >"$out/capture.log" 2>&1
set -x
modprobe dm_mod; modprobe dm_multipath; modprobe dm_service_time; modprobe dm_round_robin
modprobe scsi_debug add_host=2 num_tgts=1 max_luns=2 vpd_use_hostno=0 dev_size_mb=16 ptype=0
udevadm settle
for d in /sys/block/sd*; do
  echo "$(basename $d) $(readlink -f $d/device | sed 's|.*/||') $(udevadm info -q property -p $d | grep -E '^(ID_SERIAL|ID_WWN)=' | tr '\n' ' ')"
done >"$out/devices-ids.txt"
ls /sys/block >"$out/blocks.txt"
run() { local f=$1; shift; "$@" >"$out/$f.out" 2>&1; echo "rc=$?" >>"$out/$f.out"; }
capture() {
  local tag=$1
  /sbin/multipathd -d -v3 >"$out/$tag-daemon.log" 2>&1 &
  local dpid=$!
  for i in $(seq 100); do /sbin/multipathd show daemon 2>/dev/null | grep -q idle && break; sleep 0.3; done
  sleep 4
  run $tag-blacklist multipathd show blacklist
  run $tag-devices multipathd show devices
  run $tag-config-local multipathd show config local
  run $tag-config multipathd show config
  run $tag-status multipathd show status
  run $tag-paths multipathd show paths
  run $tag-maps multipathd show maps
  run $tag-maps-stats multipathd show maps stats
  run $tag-reset-bogus multipathd reset map nosuchmap stats
  kill $dpid; sleep 1; kill -9 $dpid 2>/dev/null
  multipath -F >/dev/null 2>&1
  dmsetup remove_all
}
rm -f /etc/multipath.conf /etc/multipath/wwids
capture builtin
# LUN 1's uid is blacklisted: two orphans, one map.
lun1=$(for d in /sys/block/sd*; do
  case $(readlink -f $d/device) in *:1) udevadm info -q property -p $d | sed -n 's/^ID_SERIAL=//p'; break ;; esac
done)
# The lists file the fixtures were captured with, LUN 1's uid in its wwid rule.
sed "s/1Linux_scsi_debug_2001/$lun1/" "$repo/Tests/MultipathCoreTests/Fixtures/debian-0.9.4/lists.conf" >/etc/multipath.conf
capture lists
echo done >"$out/DONE"
