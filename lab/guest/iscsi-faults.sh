# Transport faults on the iSCSI fabric (lab/guest/iscsi.sh) under fio with verification, Debian's
# multipathd 0.9.4 then ours in the same boot, each from fresh sessions through $iscsi_faults_portals
# portals (default 2), one veth link each. Configuration: the lab defaults,
# fast_io_fail_tmo 5 and `no_path_retry queue` (overrides: LIO's own entry says 12); polling_interval
# is the default 5. Sourced by a case, which calls
#   iscsi_faults_case FAULT...   FAULT: a (one link down 30 s), b (one portal's packets silently dropped
#                                for 30 s), d (one portal's TPG disabled 20 s), c (all links down 20 s)
# For each fault and daemon it prints: fault -> path failed in DM, back -> session logged in -> path
# active in DM (ms, the DM side from `labtool watch`), fio's I/O errors, verify failures and longest
# write. Pass: each session's recovery_tmo set from fast_io_fail_tmo (15 -> 5), the paths claimed in
# udev; 0 errors and 0 verify failures, I/O on the returned path; in (c) a write stalled through the
# outage, then fio went on; ours has the paths active within 1 s of the (last) session logging in.
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/iscsi.sh"
iscsi_overrides="no_path_retry queue"
iscsi_fio_dir=$lab_state/fio

iscsi_faults_case() {
  iscsi_fabric_up "${iscsi_faults_portals:-2}"
  trap iscsi_fabric_down EXIT
  iscsi_config fast_io_fail_tmo 5
  scenario_both iscsi_steps "$@"
}

# shellcheck disable=SC2031  # watch_log: scenario_both sets it for each side's subshell
iscsi_steps() {
  local daemon=$1 n s tmo map ms f
  shift
  scenario_daemon=$daemon
  trap iscsi_side_end EXIT
  trap 'exit 1' TERM
  daemon_kill
  iscsi_login
  for n in $(seq "$iscsi_portals"); do
    s=$(iscsi_session "$n") || fail "$daemon: no session through portal $n"
    tmo=$(cat "/sys/class/iscsi_session/$s/recovery_tmo")
    [ "$tmo" = 15 ] || fail "$daemon: $s starts with recovery_tmo $tmo, not iscsid's 15"
  done
  scenario_watch
  scenario_start
  ms=$(scenario_wait A "$iscsi_portals" "$scenario_t0" 60) || fail "$daemon: no map with $iscsi_portals active paths within 60 s"
  map=$(scenario_map)
  scenario_timing "$daemon: iSCSI map $map with $iscsi_portals active paths ${ms#* } ms after start"
  for n in $(seq "$iscsi_portals"); do
    s=$(iscsi_session "$n")
    tmo=$(cat "/sys/class/iscsi_session/$s/recovery_tmo")
    echo "$daemon: $s (portal $n): recovery_tmo $tmo"
    [ "$tmo" = 5 ] || fail "$daemon: $s has recovery_tmo $tmo, not 5 from fast_io_fail_tmo"
  done
  udevadm settle --timeout=30
  # Claimed in udev, so that nothing else (LVM, blkid users) takes the paths themselves.
  for f in $(iscsi_disks); do
    s=$(udevadm info -q property -n "$f" | sed -n 's/^DM_MULTIPATH_DEVICE_PATH=//p')
    echo "$daemon: $f DM_MULTIPATH_DEVICE_PATH=$s"
    [ "$s" = 1 ] || fail "$daemon: $f is not claimed in udev (DM_MULTIPATH_DEVICE_PATH=$s)"
  done
  for f in "$@"; do "iscsi_fault_$f" "$map"; done
}
iscsi_side_end() {
  [ -s "$lab_state/fio.pid" ] && kill -INT "$(cat "$lab_state/fio.pid")" 2>/dev/null && wait_until 60 pid_gone "$(cat "$lab_state/fio.pid")"
  scenario_end
  iscsi_logout
}

iscsi_fault_a() { iscsi_fault "$1" "a: one link down 30 s" 30 1 "iscsi_link 1 down" "iscsi_link 1 up"; }
iscsi_fault_b() { iscsi_fault "$1" "b: one portal's packets dropped 30 s" 30 1 "iscsi_blackhole 1 on" "iscsi_blackhole 1 off"; }
iscsi_fault_d() { iscsi_fault "$1" "d: one portal's TPG disabled 20 s" 20 1 "iscsi_tpg 1 0" "iscsi_tpg 1 1"; }
iscsi_fault_c() {
  iscsi_fault "$1" "c: all links down 20 s (no_path_retry queue)" 20 "$iscsi_portals" "iscsi_links down" "iscsi_links up"
}
iscsi_links() {
  local n
  for n in $(seq "$iscsi_portals"); do iscsi_link "$n" "$1"; done
}

# iscsi_fault MAP LABEL HOLD_S NFAILED DOWN UP: fio through MAP; DOWN, which fails NFAILED paths (portal 1,
# then 2...); HOLD_S seconds after DOWN, UP; waits for the sessions and every path back, then for writes
# through portal 1's disk, and stops fio.
iscsi_fault() {
  local map=$1 label=$2 hold=$3 nfailed=$4 down=$5 up=$6 d=$scenario_daemon
  local t_down t_up fail_ms login_ms active_ms disk w n report
  iscsi_fio_start "$map" "${label%%:*}"
  disk=$(iscsi_disks | head -n 1)
  t_down=$EPOCHREALTIME
  $down
  fail_ms=$(scenario_wait F "$nfailed" "$t_down" 60) || fail "$d: ($label) not $nfailed path(s) failed in DM within 60 s"
  wait_until "$((hold + 5))" passed_since "$t_down" "$hold"
  for n in $(seq "$nfailed"); do
    rm -f "$lab_state/login-$n"
    iscsi_when_state "$(iscsi_session "$n")" LOGGED_IN "$lab_state/login-$n" &
  done
  t_up=$EPOCHREALTIME
  $up
  for n in $(seq "$nfailed"); do
    wait_file "$lab_state/login-$n" 90 || fail "$d: ($label) session $n not logged in 90 s after the return"
    login_ms=$(ms_between "$t_up" "$(cat "$lab_state/login-$n")")
  done
  active_ms=$(scenario_wait A "$iscsi_portals" "$t_up" 60) || fail "$d: ($label) not all $iscsi_portals paths active in DM 60 s after the return"
  w=$(iscsi_writes "$disk")
  wait_until 30 iscsi_wrote_since "$disk" "$w" || fail "$d: ($label) no write reached $disk within 30 s of its return"
  report=$(iscsi_fio_stop "${label%%:*}") || fail "$d: ($label) $report"
  active_ms=${active_ms#* }
  scenario_timing "$d ($label): down -> failed in DM ${fail_ms#* } ms; up -> session logged in $login_ms ms -> active in DM $active_ms ms" \
    "(session -> active $(( ${active_ms%.*} - login_ms )) ms); fio: $report"
  # Ours reads a failed path's session state (docs/transport-events.md): back in DM within a few ms of it.
  [ "$d" = debian ] || [ $(( ${active_ms%.*} - login_ms )) -le 1000 ] ||
    fail "$d: ($label) paths active $(( ${active_ms%.*} - login_ms )) ms after the session was logged in, not within 1 s"
  iscsi_fio_judge "$d ($label)" "$report" "$([ "$nfailed" = "$iscsi_portals" ] && echo all-down)"
}
passed_since() { [ $(( ${EPOCHREALTIME/./} - ${1/./} )) -ge $(( $2 * 1000000 )) ]; }

iscsi_writes() { awk '{ print $5 }' "/sys/block/$1/stat"; }
iscsi_wrote_since() { [ "$(iscsi_writes "$1")" -gt "$2" ]; }

# Three jobs, each on its own 16 MiB of the map: 4 KiB random writes, direct, queue depth 4, each block
# read back and checked (crc32c) 128 writes later; runs until iscsi_fio_stop (SIGINT).
iscsi_fio_start() {
  local dm out=$iscsi_fio_dir/$2 w
  mkdir -p "$iscsi_fio_dir"
  dm=$(basename "$(readlink -f "/dev/mapper/$1")")
  fio --filename="/dev/mapper/$1" --ioengine=libaio --direct=1 --rw=randwrite --bs=4k --iodepth=4 --size=16M \
    --verify=crc32c --verify_backlog=128 --verify_state_save=0 --time_based --runtime=900 --output-format=json \
    --name=j0 --offset=0 --name=j1 --offset=16M --name=j2 --offset=32M >"$out.json" 2>"$out.err" </dev/null &
  write_file "$lab_state/fio.pid" $!
  w=$(iscsi_writes "$dm")
  wait_until 30 iscsi_wrote_more "$dm" "$w" 200 || fail "$scenario_daemon: fio wrote nothing through $1 in 30 s: $(tail -n 2 "$out.err" | tr '\n' ' ')"
}
iscsi_wrote_more() { [ "$(iscsi_writes "$1")" -ge $(( $2 + $3 )) ]; }

# Prints "E I/O errors, V verify failures, longest write M ms, W MiB written, R MiB verified".
iscsi_fio_stop() {
  local p out=$iscsi_fio_dir/$1
  p=$(cat "$lab_state/fio.pid")
  kill -INT "$p" 2>/dev/null
  wait_until 120 pid_gone "$p" || { echo "fio did not stop within 120 s of SIGINT"; return 1; }
  rm -f "$lab_state/fio.pid"
  cp "$out.json" "$LAB_OUT/fio-$LAB_CASE-$scenario_daemon-$1.json"
  python3 - "$out.json" "$(grep -cE 'verify|bad magic|bad header' "$out.err")" <<'P' || { echo "no fio report: $(tail -n 2 "$out.err" | tr '\n' ' ')"; return 1; }
import json, sys
text = open(sys.argv[1]).read()
jobs = json.loads(text[text.index("{"):])["jobs"]
# A job stops at its first error: EILSEQ (84) is a verify failure, anything else an I/O error.
io_errors = sum(1 for j in jobs if j["error"] not in (0, 84))
verify = int(sys.argv[2]) + sum(1 for j in jobs if j["error"] == 84)
longest = max(j["write"]["clat_ns"]["max"] for j in jobs) / 1e6
written = sum(j["write"]["io_bytes"] for j in jobs) >> 20
read = sum(j["read"]["io_bytes"] for j in jobs) >> 20
print(f"{io_errors} I/O errors, {verify} verify failures, longest write {longest:.0f} ms, {written} MiB written, {read} MiB verified")
P
}

# iscsi_fio_judge WHO REPORT [all-down]: 0 errors, 0 verify failures; after every path was down, a write
# stalled for at least 10 s (the outage, queued).
iscsi_fio_judge() {
  local -a r
  read -ra r <<<"$2"
  [ "${r[0]}" = 0 ] || fail "$1: fio saw I/O errors: $2"
  [ "${r[3]}" = 0 ] || fail "$1: fio saw verify failures: $2"
  [ "${3:-}" != all-down ] || [ "${r[8]}" -ge 10000 ] || fail "$1: no write stalled through the outage: $2"
}
