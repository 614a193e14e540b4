# A returning iSCSI session, step by step, Debian's multipathd 0.9.4 then ours in the same boot: portal 1's
# link goes down until the session's recovery_tmo (5, from fast_io_fail_tmo) has run out (state FREE,
# the disk transport-offline), then comes back. Prints link up -> session LOGGED_IN -> path active in DM
# (ms), and every kernel signal a daemon could wait on in that time (lab/guest/transport-signals.py:
# uevents of any subsystem, NETLINK_ISCSI multicast, poll() on the session's and the disk's `state`).
# Pass: both daemons make the path active again; ours saw the session back (its transport watch) and
# made the path active within 1 s of the session being logged in.
# Not in CI (lab time, about 140 s; case 40 prints the same session -> active step under fio): run it
# with `lab/run.sh --case 59-iscsi-return`.
# lab-timeout: 240
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/iscsi.sh"
iscsi_overrides="no_path_retry queue"

iscsi_fabric_up 2
trap iscsi_fabric_down EXIT
iscsi_config fast_io_fail_tmo 5

# shellcheck disable=SC2031  # watch_log: scenario_both sets it for each side's subshell
return_steps() {
  local d=$1 s disk map ms t_down t_up login_ms active_ms signals=$LAB_OUT/signals-$LAB_CASE-$1.log
  scenario_daemon=$d
  trap 'scenario_end; iscsi_logout' EXIT
  trap 'exit 1' TERM
  daemon_kill
  iscsi_login
  s=$(iscsi_session 1) || fail "$d: no session through portal 1"
  disk=$(iscsi_disks | head -n 1)
  scenario_watch
  rm -f "$lab_state/signals-ready"
  python3 "$LAB_REPO/lab/guest/transport-signals.py" "$signals" "$lab_state/signals-ready" \
    "/sys/class/iscsi_session/$s/state" "/sys/block/$disk/device/state" 2>>"$LAB_OUT/signals-errors.log" &
  echo $! >>"$scenario_pids"
  wait_file "$lab_state/signals-ready" 20 || fail "transport-signals.py did not start: $(tail -n 2 "$LAB_OUT/signals-errors.log")"
  scenario_start
  ms=$(scenario_wait A 2 "$scenario_t0" 60) || fail "$d: no map with 2 active paths within 60 s"
  map=${ms% *}
  t_down=$EPOCHREALTIME
  iscsi_link 1 down
  scenario_wait F 1 "$t_down" 60 >/dev/null || fail "$d: $disk not failed in DM within 60 s of its link going down"
  wait_until 30 session_is "$s" FREE || fail "$d: $s not FREE (recovery_tmo run out) 30 s after its link went down"
  rm -f "$lab_state/login"
  iscsi_when_state "$s" LOGGED_IN "$lab_state/login" &
  t_up=$EPOCHREALTIME
  iscsi_link 1 up
  wait_file "$lab_state/login" 90 || fail "$d: $s not logged in 90 s after the link came back"
  login_ms=$(ms_between "$t_up" "$(cat "$lab_state/login")")
  ms=$(scenario_wait A 2 "$t_up" 60) || fail "$d: $disk not active in $map 60 s after its link came back"
  active_ms=${ms#* }
  scenario_timing "$d: link up -> $s LOGGED_IN $login_ms ms -> $disk active in DM ${active_ms%.*} ms" \
    "(session -> active $(( ${active_ms%.*} - login_ms )) ms); kernel signals meanwhile: $(signals_since "$signals" "$t_up" "$active_ms")"
  [ "$d" = debian ] || grep -q "$disk: $s is back: probing now" "$LAB_OUT/ours-$LAB_CASE.log" ||
    fail "$d: no \"$disk: $s is back: probing now\" in its log"
  [ "$d" = debian ] || [ $(( ${active_ms%.*} - login_ms )) -le 1000 ] ||
    fail "$d: $disk active $(( ${active_ms%.*} - login_ms )) ms after its session was logged in, not within 1 s"
}
session_is() { [ "$(cat "/sys/class/iscsi_session/$1/state")" = "$2" ]; }

# signals_since LOG SINCE UNTIL_MS: the signals LOG holds from SINCE (an $EPOCHREALTIME) to UNTIL_MS after
# it, as "+MS source text", ";"-separated; "none" if there were none.
signals_since() {
  local since
  since=$(scenario_mono "$2")
  awk -v since="$since" -v until="$3" '{ ms = ($1 / 1e9 - since) * 1000 }
    ms >= 0 && ms <= until { $1 = ""; printf "%s+%.0f ms%s", n++ ? "; " : "", ms, $0 }
    END { if (!n) printf "none" }' "$1"
}

scenario_both return_steps
