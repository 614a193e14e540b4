# Case 36 on LIO tcm_loop, for Debian's multipathd 0.9.4 and for ours: one ramdisk LUN, two paths each in
# its own ALUA target port group, prio alua (REPORT TARGET PORT GROUPS), group_by_prio, failback
# immediate, the same configuration for both. The groups follow the ALUA states: port 1 optimized and
# port 2 non-optimized -> port 1's group first; port 1 standby -> after its next check (ghost, priority
# 1) the map is regrouped with port 2 first and I/O goes there; port 1 optimized again -> back first.
# (LIO here did not take active/non-optimized for group 1 once group 2 had it: the swap is done through
# standby.) tcm_alua_steps DAEMON (debian or ours) runs the steps; the case runs them in a subshell
# per daemon (scenario_both), which its EXIT trap cleans up.
. "$LAB_REPO/lab/guest/dm-paths.sh"
. "$LAB_REPO/lab/guest/tcm.sh"
# The daemon goes first (it holds the map), then the maps, then the LUN.
tcm_alua_end() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid"
    wait_until 5 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null
  fi
  udevadm settle -t 10
  for m in $(dmsetup ls --target multipath | awk '$1 != "No" { print $1 }'); do dmsetup remove "$m"; done
  tcm_teardown
}
state() { echo "$2" >"$lun/alua/grp$1/alua_access_state" || fail "cannot set group $1 to ALUA state $2"; }
disk_of() {
  local addr
  addr=$(cat "$t/loopback/naa.50014050000000a$1/tpgt_1/address") || fail "no address for port $1"
  ls /sys/bus/scsi/devices/"$addr":0/block
}
# groups_are "DEV DEV": waits up to $2 s until the map's groups (table order) are these, one path each.
groups_are() {
  local got
  wait_until_sleep=0.3 wait_until "$2" groups_now_are "$1" && return 0
  echo "groups: ${got:-no map}; table: $(dmsetup table "$map" 2>&1)"
  return 1
}
# groups_now_are "DEV DEV": sets map and got (groups_are's) to what the kernel has now; true if they match.
groups_now_are() {
  map=$(dmsetup ls --target multipath | awk '$1 != "No" { print $1; exit }')
  [ -n "$map" ] && got=$("$labtool" groups "$map" 2>/dev/null | cut -d' ' -f2- | paste -sd' ') && [ "$got" = "$1" ]
}
tcm_alua_steps() {
  local tcm_alua_daemon=$1
  daemon_kill
  case $tcm_alua_daemon in
    debian) binary=/sbin/multipathd; [ -x $binary ] || fail "$binary is missing (apt-get install multipath-tools)" ;;
    ours) binary=$LAB_BIN ;;
    *) fail "tcm_alua_daemon is debian or ours, not '$tcm_alua_daemon'" ;;
  esac
  must modprobe dm_multipath
  tcm_setup
  pid=
  trap tcm_alua_end EXIT
  # Implicit ALUA only: the kernel's alua handler would otherwise make a group active again (SET TARGET
  # PORT GROUPS) when dm-multipath initialises it, undoing the states set here.
  for i in 1 2; do echo 1 >"$lun/alua/grp$i/alua_access_type" || fail "cannot make group $i implicit-only"; done
  state 1 0; state 2 1
  d1=$(disk_of 1) d2=$(disk_of 2)
  dev1=$(cat /sys/block/"$d1"/dev) dev2=$(cat /sys/block/"$d2"/dev)
  mkdir -p /etc/multipath
  cat >/etc/multipath.conf <<CONF
defaults {
    path_grouping_policy group_by_prio
    prio alua
    detect_prio no
    failback immediate
    checker_timeout 5
    find_multipaths no
    user_friendly_names yes
}
blacklist {
    device {
        vendor ".*"
        product ".*"
    }
}
blacklist_exceptions {
    device {
        vendor "LIO-ORG"
        product ".*"
    }
}
CONF
  "$binary" -h >/dev/null 2>&1  # into the page cache (9p under TCG), as scenario_begin does
  log=$LAB_OUT/$tcm_alua_daemon-$LAB_CASE.log
  t0=$EPOCHREALTIME
  "$binary" -d -s -v3 >>"$log" 2>&1 </dev/null &
  pid=$!
  groups_are "$dev1 $dev2" 30 || fail "port 1 (optimized) is not first"
  echo "$tcm_alua_daemon: start to map with port 1 first in $(ms_between "$t0" "$EPOCHREALTIME") ms: $(dmsetup table "$map")" |
    tee -a "$LAB_OUT/timings.txt"
  state 1 2
  t0=$EPOCHREALTIME
  groups_are "$dev2 $dev1" 30 || fail "with port 1 standby, port 2 is not first"
  echo "$tcm_alua_daemon: port 1 standby -> regrouped in $(ms_between "$t0" "$EPOCHREALTIME") ms: $(dmsetup table "$map")" |
    tee -a "$LAB_OUT/timings.txt"
  # Whichever daemon regrouped, I/O must follow: the kernel's current group is port 2's.
  current=$(dmsetup status "$map" | awk '{ i = 4; i += $i + 1; i += $i + 1; print $(i + 1) }')
  [ "$current" = 1 ] || fail "I/O is not routed to group 1 (port 2's) after the regroup: $(dmsetup status "$map")"
  echo "standby: $(dmsetup status "$map")"
  state 1 0
  t0=$EPOCHREALTIME
  groups_are "$dev1 $dev2" 30 || fail "with port 1 optimized again, it is not first"
  echo "$tcm_alua_daemon: port 1 optimized again -> regrouped in $(ms_between "$t0" "$EPOCHREALTIME") ms: $(dmsetup table "$map")" |
    tee -a "$LAB_OUT/timings.txt"
}
