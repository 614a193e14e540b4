# Scenario helpers: the same path stories against either multipath daemon, measured from DM events by
# `labtool watch` / `labtool flap` (CLOCK_MONOTONIC, no CLI polling). Sourced by a case after lib.sh.
# DAEMON is `debian` (/sbin/multipathd 0.9.4) or `ours` ($LAB_BIN); both run as `-d -s -v3` with the
# same /etc/multipath.conf, their output in $LAB_OUT/<daemon>-<case>.log.
#
#   scenario_begin DAEMON NPATHS [KEY VALUE]...
#       Stops any daemon, removes multipath maps and scsi_debug, writes the lab config (defaults section:
#       group_by_prio, prio alua, checker_timeout 5, find_multipaths no, user_friendly_names yes, plus
#       the KEY VALUE pairs, e.g. polling_interval 1; only scsi_debug disks are not blacklisted), loads
#       scsi_debug with NPATHS paths to one LUN ($scenario_luns LUNs if set, each with its own WWID), starts `labtool watch` into $LAB_OUT/watch-<case>.log
#       and arranges scenario_end to run when the case exits.
#   scenario_start                 starts the daemon; sets scenario_t0 ($EPOCHREALTIME just before)
#   scenario_wait STATE N SINCE [TIMEOUT_S=30]
#       Waits until, at a watch line timestamped at or after SINCE (an $EPOCHREALTIME), one map has N
#       paths in STATE (A, F) by the latest lines; prints "MAP MS" (MS: milliseconds from SINCE to that
#       line). Returns 1 on timeout.
#   scenario_flap LABEL DISK... [labtool flap options]
#       Runs `labtool flap DISK...` (the disks flap independently, in parallel) with raw samples appended to $LAB_OUT/flap.csv, its own watch log in
#       $LAB_OUT/watch-<case>-<LABEL>.log; prints flap's summary lines and adds them to timings.txt;
#       fails the case if a reaction was missed (not seen within flap's --timeout-ms).
#   scenario_disks                 the scsi_debug disks (sdX), one per line, by SCSI host number
#   scenario_map                   the name of the one multipath map (fails the case if not exactly one)
#   scenario_check_groups MAP      fails the case unless MAP's path groups (table order) are the paths by
#                                  ALUA state, best first; prints the groups and `dmsetup table/status`
#   scenario_table_disks MAP [N=1] the first N paths (sdX) of MAP in table order (best group first)
#   scenario_cli COMMAND...        the running daemon's CLI (client mode of the same binary)
#   scenario_timing TEXT           prints TEXT and adds "<case>: TEXT" to $LAB_OUT/timings.txt
#   scenario_end                   stops the daemon and the watcher, removes the maps and scsi_debug
#   scenario_both STEPS [ARG...]
#       One story against both daemons: runs `STEPS DAEMON ARG...` for debian, then for ours, each in
#       a subshell of its own (its own scenario_begin ... scenario_end; its watch log
#       watch-<case>-<daemon>.log), so that a failure of one side still lets the other run. Fails the
#       case with both sides' reasons if either failed.
. "$LAB_REPO/lab/guest/dm-paths.sh"

scenario_daemon=
# shellcheck disable=SC2154  # lab_state: set by lab/guest/lib.sh, which the runner sources first
scenario_pids=$lab_state/scenario.pids
watch_log=$LAB_OUT/watch-$LAB_CASE.log

scenario_begin() {
  scenario_daemon=$1
  local npaths=$2
  shift 2
  case $scenario_daemon in
    debian) [ -x /sbin/multipathd ] || fail "/sbin/multipathd is missing (apt-get install multipath-tools)" ;;
    ours) ;;
    *) fail "scenario_begin: DAEMON is debian or ours, not '$scenario_daemon'" ;;
  esac
  local t=$EPOCHREALTIME
  trap scenario_end EXIT
  trap 'exit 1' TERM
  daemon_kill
  scenario_clean
  local t1=$EPOCHREALTIME
  scenario_config "$@"
  must modprobe dm_multipath
  must modprobe scsi_dh_alua
  must modprobe scsi_debug add_host="$npaths" num_tgts=1 max_luns="${scenario_luns:-1}" vpd_use_hostno=0 dev_size_mb=16 ptype=0
  local t2=$EPOCHREALTIME
  # Generous: on a loaded host udev takes tens of seconds for the first disks of a boot.
  must udevadm settle --timeout=60
  local t3=$EPOCHREALTIME
  [ "$(scenario_disks | wc -l)" = $((npaths * ${scenario_luns:-1})) ] || fail "expected $npaths x ${scenario_luns:-1} scsi_debug disks, got: $(scenario_disks | tr '\n' ' ')"
  scenario_watch
  echo "scenario: setup took $(ms_between "$t" "$EPOCHREALTIME") ms (clean $(ms_between "$t" "$t1"), modules $(ms_between "$t1" "$t2"), udev $(ms_between "$t2" "$t3"))"
}

# scenario_watch: `labtool watch` into $watch_log (stopped with the scenario's processes), and the daemon
# read into the page cache: over 9p under TCG a cold start reads the binary and its libraries for seconds,
# which would count in start-to-map (Debian's checkers and prioritizers are plugins).
scenario_watch() {
  "${scenario_measure[@]}" "$labtool" watch "$watch_log" 2>>"$LAB_OUT/watch-errors.log" &
  echo $! >>"$scenario_pids"
  wait_file_line "$watch_log" 2 || fail "labtool watch did not start: $(cat "$LAB_OUT/watch-errors.log" 2>/dev/null)"
  "$(scenario_binary)" -h >/dev/null 2>&1
  if [ "$scenario_daemon" = debian ]; then cat /lib/multipath/*.so >/dev/null; fi
}

# wait_file_line FILE N: waits up to 20 s until FILE has N lines.
wait_file_line() { wait_until_sleep=0.05 wait_until 20 file_has_lines "$1" "$2"; }
file_has_lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

# scenario_config [KEY VALUE]...: the lab config (see scenario_begin); $scenario_overrides: KEY VALUE pairs
# of an overrides section; $scenario_disks_vendor/$scenario_disks_product: the only disks not blacklisted
# (default scsi_debug's: the scenarios concern those only, whatever other disks the machine has).
scenario_config() {
  mkdir -p /etc/multipath
  {
    echo "defaults {"
    echo "    path_grouping_policy group_by_prio"
    echo "    prio alua"
    echo "    checker_timeout 5"
    echo "    find_multipaths no"
    echo "    user_friendly_names yes"
    while [ $# -ge 2 ]; do echo "    $1 $2"; shift 2; done
    echo "}"
    if [ -n "${scenario_overrides:-}" ]; then
      echo "overrides {"
      # shellcheck disable=SC2086  # KEY VALUE pairs
      set -- $scenario_overrides
      while [ $# -ge 2 ]; do echo "    $1 $2"; shift 2; done
      echo "}"
    fi
    printf 'blacklist {\n    device {\n        vendor ".*"\n        product ".*"\n    }\n}\n'
    printf 'blacklist_exceptions {\n    device {\n        vendor "%s"\n        product "%s"\n    }\n}\n' \
      "${scenario_disks_vendor:-Linux}" "${scenario_disks_product:-scsi_debug}"
  } >/etc/multipath.conf
  cp /etc/multipath.conf "$LAB_OUT/multipath.conf-$LAB_CASE"
}

scenario_binary() { if [ "$scenario_daemon" = debian ]; then echo /sbin/multipathd; else echo "$LAB_BIN"; fi; }
# scenario_exec COMMAND... &: the daemon, as its unit runs it, in place of the background subshell (so
# that $! is the daemon). Ours under its unit's LimitRTPRIO=10, so that it takes SCHED_RR 10; 0.9.4 as it
# is: it takes SCHED_RR 99 itself (as root, whatever the limit). Without the limit ours would be the only
# one of the two that udev's workers can keep off the CPU.
scenario_exec() { if [ "$scenario_daemon" = debian ]; then exec "$@"; else exec prlimit --rtprio=10 "$@"; fi; }
# The measuring tools (labtool watch, flap, control-load) run at SCHED_FIFO 1: above udev's workers, below
# both daemons, so that a loaded guest delays neither the tools' reading of DM events nor the daemons
# (under SCHED_OTHER the watcher once saw reinstates 5 s after the daemon sent them).
scenario_measure=(chrt -f 1)

scenario_start() {
  local log=$LAB_OUT/$scenario_daemon-$LAB_CASE.log
  # shellcheck disable=SC2034  # for the case
  scenario_t0=$EPOCHREALTIME
  scenario_exec "$(scenario_binary)" -d -s -v3 >>"$log" 2>&1 </dev/null &
  echo $! >"$lab_state/scenario.daemon"
  echo $! >>"$scenario_pids"
}

scenario_cli() { timeout 60 "$(scenario_binary)" "$@"; }

# The watch log's monotonic time in seconds of an $EPOCHREALTIME, from the pair of clocks in its header
# (in seconds: awk's doubles hold nanoseconds since 1970 only to 256 ns, and mawk prints no such %d).
scenario_mono() {
  watch_lines | awk -v t="$1" '/^# clock / { split($3, m, "="); split($4, r, "="); printf "%.6f\n", t - (r[2] / 1e9 - m[2] / 1e9); exit }'
}
# The watch log's complete lines: labtool may be halfway through writing the last one.
watch_lines() { head -n "$(wc -l <"$watch_log")" "$watch_log"; }

scenario_wait() { wait_until "${4:-30}" scenario_seen "$1" "$2" "$(scenario_mono "$3")"; }
# scenario_seen STATE N SINCE_MONO: prints "MAP MS" and succeeds if the watch log already shows it.
scenario_seen() {
  local found
  found=$(awk -v want="$1" -v n="$2" -v since="$3" '
    /^#/ || $3 == "-" { next }
    { st[$2, $3] = $4; maps[$2] = 1; t = $1 / 1e9
      if (t < since) next
      for (m in maps) { c = 0; for (k in st) { split(k, p, SUBSEP); if (p[1] == m && st[k] == want) c++ }
        if (c == n) { printf "%s %.1f\n", m, (t - since) * 1000; exit } } }' < <(watch_lines))
  [ -n "$found" ] && echo "$found"
}

scenario_flap() {
  local label=$1 out
  shift
  out=$("${scenario_measure[@]}" "$labtool" flap --label "$label" --csv "$LAB_OUT/flap.csv" --log "$LAB_OUT/watch-$LAB_CASE-$label.log" "$@" 2>&1) ||
    fail "labtool flap $*: $out"
  echo "$out" | while read -r line; do scenario_timing "$line"; done
  case $out in *" missed=0 "*" missed=0 "*) ;; *) fail "$label: the daemon did not react within the timeout: $(words "$out")" ;; esac
}

scenario_disks() {
  local d model h b
  # Builtins only: three processes per device took minutes at a thousand devices under TCG.
  for d in /sys/bus/scsi/devices/*:*:*:*; do
    model=''
    read -r model <"$d/model" 2>/dev/null
    [[ $model == *scsi_debug* ]] || continue
    h=${d##*/}
    for b in "$d"/block/*; do [ -e "$b" ] && echo "${h%%:*} ${b##*/}"; done
  done | sort -n | cut -d' ' -f2
}

scenario_map() {
  local maps
  maps=$(dmsetup ls --target multipath | awk '$1 != "No" { print $1 }')
  [ "$(echo "$maps" | grep -c .)" = 1 ] || fail "expected one multipath map, got: $(words "$maps")"
  echo "$maps"
}

# scsi_debug's implicit ALUA state of a disk: its SCSI host number mod 3 (0 active/optimized,
# 1 active/non-optimized, 2 standby), which is also the order of their alua priorities (50, 10, 1).
scenario_alua_rank() { echo $(( $(basename "$(readlink /sys/block/"$1"/device)" | cut -d: -f1) % 3 )); }

scenario_check_groups() {
  local map=$1 want got d
  want=$(for d in $(scenario_disks); do echo "$(scenario_alua_rank "$d") $(cat /sys/block/"$d"/dev)"; done |
    sort -n | awk '$1 != r { if (NR > 1) print l; r = $1; l = $2; next } { l = l " " $2 } END { print l }')
  got=$("$labtool" groups "$map" | cut -d' ' -f2- | while read -r l; do sorted_words "$l"; done) ||
    fail "labtool groups $map failed"
  want=$(echo "$want" | while read -r l; do sorted_words "$l"; done)
  echo "groups of $map (table order): $(echo "$got" | paste -sd'|')"
  echo "dmsetup table: $(dmsetup table "$map")"
  echo "dmsetup status: $(dmsetup status "$map")"
  [ "$got" = "$want" ] || fail "groups of $map: $(echo "$got" | paste -sd'|'), expected by ALUA state: $(echo "$want" | paste -sd'|')"
}

scenario_table_disks() {
  local devs d
  devs=$("$labtool" groups "$1" | cut -d' ' -f2- | tr ' ' '\n' | head -n "${2:-1}")
  [ "$(echo "$devs" | grep -c .)" = "${2:-1}" ] || fail "$1 has fewer than ${2:-1} paths: $("$labtool" groups "$1")"
  for d in $devs; do basename "$(readlink /sys/dev/block/"$d")"; done
}

scenario_timing() { echo "$*"; echo "$LAB_CASE: $*" >>"$LAB_OUT/timings.txt"; }

# Stops what the scenario started (daemon first, so that it does not react to the cleanup), then
# removes the maps and scsi_debug; a case that leaves them behind fails. Also run at scenario_begin for
# what earlier cases left.
scenario_end() {
  local p why t=$EPOCHREALTIME
  local -a pids=()
  [ -f "$scenario_pids" ] && mapfile -t pids <"$scenario_pids"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    wait_until 5 pid_gone "$p" || kill -KILL "$p" 2>/dev/null
  done
  rm -f "$scenario_pids"
  why=$(scenario_clean 2>&1) || { [ -s "$LAB_WHY" ] || fail "cleanup: $why"; }
  echo "scenario: cleanup took $(ms_between "$t" "$EPOCHREALTIME") ms"
}

scenario_clean() {
  local left
  [ -d /sys/module/scsi_debug ] && echo 0 >/sys/bus/pseudo/drivers/scsi_debug/opts && echo 0 >/sys/bus/pseudo/drivers/scsi_debug/every_nth
  # udev's blkid may hold a map open while it reads through it.
  udevadm settle --timeout=30
  wait_until_sleep=0.5 wait_until 20 scenario_maps_removed
  left=$(scenario_maps)
  [ -z "$left" ] || { echo "cannot remove $(words "$left"): $(echo "$left" | xargs dmsetup info -c 2>&1 | tail -n +2)" >&2; return 1; }
  [ -d /sys/module/scsi_debug ] || return 0
  wait_until_sleep=0.5 wait_until 20 modprobe -r scsi_debug 2>/dev/null && return 0
  echo "cannot unload scsi_debug: $(modprobe -r scsi_debug 2>&1)" >&2
  return 1
}
scenario_maps() { dmsetup ls --target multipath 2>/dev/null | awk '$1 != "No" { print $1 }'; }
# scenario_maps_removed: true when no multipath map is left; otherwise tries to remove them.
scenario_maps_removed() {
  local m left
  left=$(scenario_maps)
  [ -z "$left" ] && return 0
  for m in $left; do dmsetup remove "$m" >/dev/null 2>&1; done
  return 1
}

scenario_both() {
  local daemon why reasons=
  trap 'exit 1' TERM  # the runner's timeout signals the whole group: wait for the side's own cleanup
  for daemon in debian ours; do
    rm -f "$LAB_WHY"
    echo "=== $daemon"
    if ! (watch_log=$LAB_OUT/watch-$LAB_CASE-$daemon.log; "$1" "$daemon" "${@:2}"); then
      why=$(cat "$LAB_WHY" 2>/dev/null)
      case $why in "$daemon:"*) ;; *) why="$daemon: ${why:-failed, see the case log}" ;; esac
      reasons=${reasons:+$reasons; }$why
    fi
  done
  rm -f "$LAB_WHY"
  [ -z "$reasons" ] || fail "$reasons"
}
