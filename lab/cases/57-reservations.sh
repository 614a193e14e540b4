# Persistent reservations, Debian's multipathd 0.9.4 then ours, on LIO tcm_loop: one ramdisk LUN behind
# two loopback ports, two I_T nexuses (LIO implements SCSI-3 PR on any fabric). Debian's mpathpersist
# registers the map's reservation_key on both paths (and tells the daemon over its socket:
# setprstatus), then takes a Write Exclusive - All Registrants reservation (type 7: every registered
# I_T nexus may write, any other gets RESERVATION CONFLICT). Port 2's nexus is unregistered (sg_persist
# through its disk), which a direct write to that disk shows (RESERVATION CONFLICT); then port 2's LUN
# is unlinked (its disk goes away) and linked again: a new disk whose nexus holds no key. The daemon must
# register the key on it as the path joins the map (0.9.4's mpath_pr_event_handle), so that direct
# writes to it succeed. Then mpathpersist clears the reservation and the keys.
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/tcm-alua.sh"
key=0x5eed1ab
# keys_on DISK: how many registrations READ KEYS lists through DISK.
keys_on() { sg_persist -n -k "/dev/$1" 2>/dev/null | grep -c '^ *0x'; }
keys_are() { [ "$(keys_on "$1")" = "$2" ]; }
# active_paths_are N: the map has N paths, all active.
active_paths_are() {
  map=$(dmsetup ls --target multipath | awk '$1 != "No" { print $1; exit }')
  # A path's status is "MAJ:MIN A|F COUNT"; a group's own state may be A too.
  [ -n "$map" ] && [ "$(dmsetup status "$map" | grep -oE '[0-9]+:[0-9]+ A ' | wc -l)" = "$1" ] &&
    [ "$(dmsetup table "$map" | grep -oE ' [0-9]+:[0-9]+ ' | wc -l)" = "$1" ]
}
write_works() { dd if=/dev/zero of="/dev/$1" bs=4096 count=16 oflag=direct status=none 2>"$LAB_OUT/dd-$LAB_CASE.err"; }
pr_steps() {
  local daemon=$1 binary
  daemon_kill
  case $daemon in
    debian) binary=/sbin/multipathd ;;
    ours) binary=$LAB_BIN ;;
  esac
  [ -x /usr/sbin/mpathpersist ] || fail "mpathpersist is missing (apt-get install multipath-tools)"
  command -v sg_persist >/dev/null || fail "sg_persist is missing (apt-get install sg3-utils)"
  must modprobe dm_multipath
  # LIO writes its APTPL file under its dbroot on every registration; without the directory a
  # REGISTER is done but answered NOT READY 08/00 (LOGICAL UNIT COMMUNICATION FAILURE).
  mkdir -p /var/target/pr
  tcm_setup
  pid=
  trap tcm_alua_end EXIT
  rm -f /etc/multipath/prkeys
  scenario_disks_vendor=LIO-ORG scenario_disks_product='.*' scenario_config reservation_key "$key"
  "$binary" -h >/dev/null 2>&1  # into the page cache (9p under TCG), as scenario_begin does
  "$binary" -d -v3 >>"$LAB_OUT/$daemon-$LAB_CASE.log" 2>&1 </dev/null &
  pid=$!
  wait_until 60 active_paths_are 2 || fail "$daemon: no map with 2 active paths within 60 s: $(dmsetup table 2>&1)"
  d1=$(disk_of 1) d2=$(disk_of 2)
  # udev makes the map's node after the map: mpathpersist opens it.
  wait_file "/dev/mapper/$map" 60 || fail "$daemon: no /dev/mapper/$map within 60 s"
  must mpathpersist --out --register --param-sark="$key" "/dev/mapper/$map"
  keys_are "$d1" 2 || fail "$daemon: after mpathpersist --register READ KEYS lists $(keys_on "$d1") keys, not 2"
  status=$("$binary" -k"getprstatus map $map" 2>&1)
  [ "$status" = 1 ] || fail "$daemon: getprstatus after mpathpersist --register: '$status', not 1"
  must mpathpersist --out --reserve --param-rk="$key" --prout-type=7 "/dev/mapper/$map"
  # The control: port 2's nexus without the key cannot write.
  must sg_persist -n --out --register --param-rk="$key" --param-sark=0 "/dev/$d2"
  keys_are "$d1" 1 || fail "$daemon: port 2 still registered after unregistering it"
  ! write_works "$d2" || fail "$daemon: a direct write through unregistered $d2 succeeded under the reservation"
  # The block layer returns RESERVATION CONFLICT as EBADE ("Invalid exchange").
  grep -q 'Invalid exchange' "$LAB_OUT/dd-$LAB_CASE.err" || fail "$daemon: not a reservation conflict: $(cat "$LAB_OUT/dd-$LAB_CASE.err")"
  w2=$t/loopback/naa.50014050000000a2
  rm "$w2/tpgt_1/lun/lun_0/port" || fail "cannot unlink port 2's LUN"
  wait_until 60 active_paths_are 1 || fail "$daemon: $d2 did not leave $map: $(dmsetup table "$map")"
  t0=$EPOCHREALTIME
  echo "$daemon: linking port 2 again at uptime $(cut -d' ' -f1 /proc/uptime)"
  ln -s "$lun" "$w2/tpgt_1/lun/lun_0/port" && echo grp2 >"$w2/tpgt_1/lun/lun_0/alua_tg_pt_gp" || fail "cannot link port 2's LUN again"
  wait_until_sleep=0.05 wait_until 60 keys_are "$d1" 2 || fail "$daemon: the key was not registered on port 2's new disk within 60 s"
  t1=$EPOCHREALTIME
  wait_until_sleep=0.05 wait_until 60 active_paths_are 2 || fail "$daemon: port 2's new disk did not join $map within 60 s"
  t2=$EPOCHREALTIME
  d2=$(disk_of 2)
  write_works "$d2" || fail "$daemon: a direct write through $d2 failed: $(cat "$LAB_OUT/dd-$LAB_CASE.err")"
  scenario_timing "$daemon: port 2 linked again -> key registered on $d2 in $(ms_between "$t0" "$t1") ms, path active in $(ms_between "$t0" "$t2") ms; direct write to $d2 ok"
  must mpathpersist --out --clear --param-rk="$key" "/dev/mapper/$map"
  keys_are "$d1" 0 || fail "$daemon: $(keys_on "$d1") keys left after mpathpersist --clear"
  status=$("$binary" -k"getprstatus map $map" 2>&1)
  [ "$status" = 0 ] || fail "$daemon: getprstatus after mpathpersist --clear: '$status', not 0"
}
scenario_both pr_steps
# Each daemon's own view, with its monotonic timestamps: the new disk's uevent, the registration, the reload.
for daemon in debian ours; do
  echo "=== $daemon's log"
  grep -iE 'add path|uevent add|reservation|pr key|prflag|status = |reload' "$LAB_OUT/$daemon-$LAB_CASE.log" | tail -n 12
done
