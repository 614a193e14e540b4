#!/bin/bash
# The demo's guest side (see lab/demo.sh): narrates into OUT/demo.log, the daemon's lines among them.
#   demo.sh OUT BINARY
out=$1 bin=$2
LAB_OUT=$out
. "$(dirname "$0")/lib.sh"  # wait_until
log=$out/demo.log
say() { echo "--- $*" >>"$log"; }
show() { say "$*"; "$@" >>"$log" 2>&1; }
ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }
# wait_dm MAP DEVT STATE: until `dmsetup status` shows the path DEVT as STATE (A or F), at most 30 s.
wait_dm() { wait_until_sleep=0.01 wait_until 30 dm_path_is "$@"; }
dm_path_is() { dmsetup status "$1" 2>/dev/null | tr ' ' '\n' | grep -A1 -x "$2" | tail -n1 | grep -qx "$3"; }
modprobe -a dm_mod dm_multipath dm_service_time
cat >/etc/multipath.conf <<'CONF'
defaults {
	find_multipaths no
	user_friendly_names yes
	path_grouping_policy group_by_prio
	prio alua
}
CONF
show cat /etc/multipath.conf
say "modprobe scsi_debug add_host=2 ...: two paths to one LUN (implicit ALUA: one optimized, one not)"
modprobe scsi_debug add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=16 ptype=0
udevadm settle
say "starting multipathd -d -s"
"$bin" -d -s >>"$log" 2>&1 </dev/null &
daemon=$!
mpath_listed() { dmsetup ls --target multipath 2>/dev/null | grep -q mpath; }
wait_until_sleep=0.05 wait_until 30 mpath_listed
map=$(dmsetup ls --target multipath | awk '{ print $1; exit }')
[ -n "$map" ] || { say "no map was built"; kill -TERM $daemon; exit 1; }
two_active() { [ "$(dmsetup status "$map" | grep -o ' A ' | wc -l)" = 2 ]; }
wait_until_sleep=0.05 wait_until 10 two_active
show "$bin" show topology
show "$bin" show paths
# The path in the first (best) group.
devt=$(dmsetup table "$map" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+:[0-9]+$/) { print $i; exit } }')
disk=$(basename "$(readlink /sys/dev/block/"$devt")")
say "echo offline > /sys/block/$disk/device/state"
t=$EPOCHREALTIME
echo offline >/sys/block/"$disk"/device/state
wait_dm "$map" "$devt" F && say "$disk ($devt) failed in $map after $(ms_since $t) ms (the next check of an idle path; polling_interval 5)"
show "$bin" show topology
say "echo running > /sys/block/$disk/device/state"
t=$EPOCHREALTIME
echo running >/sys/block/"$disk"/device/state
wait_dm "$map" "$devt" A && say "$disk ($devt) reinstated in $map after $(ms_since $t) ms (failed paths are re-probed every 100 ms; the demo sees it by polling dmsetup, which costs 0.1 to 0.5 s a call under emulation: lab case 34 times it from DM events, about 80 ms median)"
show "$bin" show topology
say "kill -TERM (multipathd)"
kill -TERM $daemon
wait $daemon
say "multipathd exited with status $?"
