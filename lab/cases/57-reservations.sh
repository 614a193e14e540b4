# Persistent reservations on the iSCSI LUN (lab/guest/iscsi.sh: LIO in a namespace, 2 portals on 2 veth
# links, one session each), Debian's multipathd 0.9.4 then ours in one boot, same config with
# reservation_key. Debian's mpathpersist registers the key on both paths (and tells the daemon over its
# socket: setprstatus), then takes a Write Exclusive - All Registrants reservation (type 7: every
# registered I_T nexus may write, any other gets RESERVATION CONFLICT; under type 5 the reservation would
# go with its holder's registration, and the holder may be either path). Portal 2's nexus is unregistered
# (sg_persist through its disk), which a direct write to that disk shows (RESERVATION CONFLICT). Then
# portal 2's session is logged out and in again with iscsiadm, as a path comes back in production: the
# new session has a new ISID (open-iscsi numbers them by session), so LIO sees a new I_T nexus, which
# holds no key, behind a new disk. (A link cut until iscsid logs in again, even past recovery_tmo, keeps
# the session and its ISID: LIO keeps that nexus's registration.) The daemon must register the key on the
# new nexus as the path joins the map (0.9.4's mpath_pr_event_handle): READ FULL STATUS lists the key
# for portal 2 under the new ISID, direct writes to the new disk succeed, getprstatus says 1, getprkey
# the key, and each daemon's log shows the registration before the reload that puts the path in the map.
# Prints, from `iscsiadm --login`: session logged in (polled) -> the new disk's add uevent -> key
# registered -> the map reloaded with the path (each daemon's log), and -> the key seen (READ KEYS
# polled). Then mpathpersist clears the reservation and the keys.
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/iscsi.sh"
key=0x5eed1ab
# keys_on DISK: how many registrations READ KEYS lists through DISK.
keys_on() { sg_persist -n -k "/dev/$1" 2>/dev/null | grep -c '^ *0x'; }
keys_are() { [ "$(keys_on "$1")" = "$2" ]; }
# registered_on DISK PORT: "KEY ISID" of each registration READ FULL STATUS (through DISK) lists for
# relative target port PORT (LIO numbers its TPGs' ports 1, 2...).
registered_on() {
  sg_persist -n --in --read-full-status "/dev/$1" 2>/dev/null | awk -v port="$(printf '0x%x' "$2")" '
    /Key=/ { split($0, k, "="); key = k[2] }
    /Relative port address:/ { p = $NF }
    /,i,0x/ && p == port { n = split($NF, i, ","); print key, i[n] }'
}
# active_paths_are N: the map has N paths, all active.
active_paths_are() {
  map=$(dmsetup ls --target multipath | awk '$1 != "No" { print $1; exit }')
  # A path's status is "MAJ:MIN A|F COUNT"; a group's own state may be A too.
  [ -n "$map" ] && [ "$(dmsetup status "$map" | grep -oE '[0-9]+:[0-9]+ A ' | wc -l)" = "$1" ] &&
    [ "$(dmsetup table "$map" | grep -oE ' [0-9]+:[0-9]+ ' | wc -l)" = "$1" ]
}
write_works() { dd if=/dev/zero of="/dev/$1" bs=4096 count=16 oflag=direct status=none 2>"$LAB_OUT/dd-$LAB_CASE.err"; }
portal_disk() { local s; s=$(iscsi_session "$1") && ls "/sys/class/iscsi_session/$s/device/"target*/*:*:*:*/block 2>/dev/null; }
session_logged_in() { local s; s=$(iscsi_session "$1") && [ "$(cat "/sys/class/iscsi_session/$s/state")" = LOGGED_IN ]; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# log_ms LOG SINCE REGEX: milliseconds from SINCE (uptime seconds) to the first line of LOG (both daemons
# stamp lines with seconds of the same clock) at or after SINCE that matches REGEX; "-" if none.
log_ms() { awk -F' [|] ' -v since="$2" -v re="$3" '$1 + 0 >= since && $2 ~ re { printf "%d", ($1 - since) * 1000; f = 1; exit } END { if (!f) print "-" }' "$1"; }

[ -x /usr/sbin/mpathpersist ] || fail "mpathpersist is missing (apt-get install multipath-tools)"
command -v sg_persist >/dev/null || fail "sg_persist is missing (apt-get install sg3-utils)"
# LIO writes its APTPL file under its dbroot on every registration; without the directory a
# REGISTER is done but answered NOT READY 08/00 (LOGICAL UNIT COMMUNICATION FAILURE).
mkdir -p /var/target/pr
iscsi_fabric_up 2
trap iscsi_fabric_down EXIT
rm -f /etc/multipath/prkeys
iscsi_config reservation_key "$key"
# One login for both daemons: each side logs portal 2 out and in, and nothing else here depends on what
# the daemon before set on the sessions.
iscsi_login

pr_steps() {
  local d=$1 binary log d1 d2 old new status t0 up0 t1 login add reg reload
  scenario_daemon=$d
  binary=$(scenario_binary)
  log=$LAB_OUT/$d-$LAB_CASE.log
  trap scenario_end EXIT
  trap 'exit 1' TERM
  daemon_kill
  d1=$(portal_disk 1) d2=$(portal_disk 2)
  "$binary" -h >/dev/null 2>&1  # into the page cache (9p under TCG), as scenario_begin does
  "$binary" -d -v3 >>"$log" 2>&1 </dev/null &
  echo $! >>"$scenario_pids"
  wait_until 60 active_paths_are 2 || fail "$d: no map with 2 active paths within 60 s: $(dmsetup table 2>&1)"
  # udev makes the map's node after the map: mpathpersist opens it.
  wait_file "/dev/mapper/$map" 60 || fail "$d: no /dev/mapper/$map within 60 s"
  must mpathpersist --out --register --param-sark="$key" "/dev/mapper/$map"
  keys_are "$d1" 2 || fail "$d: after mpathpersist --register READ KEYS lists $(keys_on "$d1") keys, not 2"
  status=$("$binary" -k"getprstatus map $map" 2>&1)
  [ "$status" = 1 ] || fail "$d: getprstatus after mpathpersist --register: '$status', not 1"
  must mpathpersist --out --reserve --param-rk="$key" --prout-type=7 "/dev/mapper/$map"
  old=$(registered_on "$d1" 2)
  [ "${old% *}" = "$key" ] || fail "$d: READ FULL STATUS lists '$old' for portal 2, not the key"
  # The control: portal 2's nexus without the key cannot write.
  must sg_persist -n --out --register --param-rk="$key" --param-sark=0 "/dev/$d2"
  keys_are "$d1" 1 || fail "$d: portal 2 still registered after unregistering it"
  ! write_works "$d2" || fail "$d: a direct write through unregistered $d2 succeeded under the reservation"
  # The block layer returns RESERVATION CONFLICT as EBADE ("Invalid exchange").
  grep -q 'Invalid exchange' "$LAB_OUT/dd-$LAB_CASE.err" || fail "$d: not a reservation conflict: $(cat "$LAB_OUT/dd-$LAB_CASE.err")"
  must iscsiadm -m node -T "$iscsi_iqn" -p 10.77.2.1 --logout
  wait_until 60 active_paths_are 1 || fail "$d: $d2 did not leave $map: $(dmsetup table "$map")"
  t0=$EPOCHREALTIME up0=$(uptime_s)
  must iscsiadm -m node -T "$iscsi_iqn" -p 10.77.2.1 --login
  wait_until_sleep=0.02 wait_until 30 session_logged_in 2 || fail "$d: portal 2's new session not logged in"
  login=$(ms_between "$t0" "$EPOCHREALTIME")
  wait_until_sleep=0.05 wait_until 60 keys_are "$d1" 2 || fail "$d: the key was not registered on portal 2's new nexus within 60 s"
  t1=$EPOCHREALTIME
  wait_until_sleep=0.05 wait_until 60 active_paths_are 2 || fail "$d: portal 2's new disk did not join $map within 60 s"
  d2=$(portal_disk 2)
  new=$(registered_on "$d1" 2)
  echo "$d: portal 2's registration (key, ISID): before $old, after logging in again $new ($(iscsi_session 2), $d2)"
  [ "${new% *}" = "$key" ] && [ "${new#* }" != "${old#* }" ] || fail "$d: READ FULL STATUS lists '$new' for portal 2, not the key under a new ISID"
  write_works "$d2" || fail "$d: a direct write through $d2 failed: $(cat "$LAB_OUT/dd-$LAB_CASE.err")"
  status=$("$binary" -k"getprstatus map $map" 2>&1)
  [ "$status" = 1 ] || fail "$d: getprstatus after portal 2 came back: '$status', not 1"
  status=$("$binary" -k"getprkey map $map" 2>&1)
  [ "$status" = "$key" ] || fail "$d: getprkey: '$status', not $key"
  if [ "$d" = debian ]; then
    add=$(log_ms "$log" "$up0" "^uevent 'add' from .*/block/$d2'$")
    reg=$(log_ms "$log" "$up0" "^$d2: status = 0$")
  else
    add=$(log_ms "$log" "$up0" "^uevent add $d2 ")
    reg=$(log_ms "$log" "$up0" "^$d2: reservation key registered$")
  fi
  # The table with both paths again (both daemons print its paths as MAJ:MIN).
  reload=$(log_ms "$log" "$up0" "^$map: reload .*[0-9]+:[0-9]+ .*[0-9]+:[0-9]+ ")
  [ "$add" != - ] && [ "$reg" != - ] && [ "$reload" != - ] || fail "$d: no add uevent ($add), registration ($reg) or reload ($reload) of $d2 in its log"
  scenario_timing "$d: portal 2's login started -> session logged in $login ms -> $d2's add uevent $add ms -> key registered $reg ms" \
    "-> $map reloaded with it $reload ms (its log: uevent -> registered $((reg - add)) ms); key seen through READ KEYS (polled) $(ms_between "$t0" "$t1") ms; direct write to $d2 ok"
  # Registered before the path carries I/O through the map (0.9.4 registers before its domap).
  [ "$reg" -le "$reload" ] || fail "$d: $d2 joined $map ($reload ms) before its key was registered ($reg ms)"
  must mpathpersist --out --clear --param-rk="$key" "/dev/mapper/$map"
  keys_are "$d1" 0 || fail "$d: $(keys_on "$d1") keys left after mpathpersist --clear"
  status=$("$binary" -k"getprstatus map $map" 2>&1)
  [ "$status" = 0 ] || fail "$d: getprstatus after mpathpersist --clear: '$status', not 0"
}
scenario_both pr_steps
