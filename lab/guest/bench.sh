# The side-by-side benchmark (issue 7): Debian's multipathd 0.9.4 and ours, one after the other, with the
# same config (scenario.sh's lab config) on the same scsi_debug paths, measured from DM events by labtool
# and from /proc. Raw samples go to $BENCH_DIR as CSV; lab/bench-report.sh makes the table from them.
#   - flaps: reinstate (running -> A) and failure detection (offline -> F), at default settings and at
#     polling_interval 1, on 4 of 6 paths to one LUN
#   - scale: BENCH_LUNS LUNs x BENCH_HOSTS paths: daemon start to every map with all its paths active,
#     CPU time and RSS over BENCH_IDLE_S idle seconds, `show paths` round trips while paths flap
#   - fabric (issue 16): on the same LUNs, every path of one host offline in one burst, held, back in one
#     burst, BENCH_FABRIC_CYCLES times: per path failure detection and reinstatement, `show paths` about
#     every second throughout, the daemon's CPU time per cycle
#   - wakeups: voluntary context switches per second with no devices, hence no maps
#   - huge (BENCH_HUGE_LUNS > 0): start to all maps again at that many LUNs, each step time-boxed
# Sourced by a lab case after lib.sh and scenario.sh (call bench_all), or run as the VM's command by
# lab/bench.sh:  bash lab/guest/bench.sh REPO OUT BINARY
#
# CSV files in $BENCH_DIR:
#   flap.csv        labtool flap's samples: label,cycle,kind,path,action_ns,seen_ns,latency_us
#                   (label: DAEMON-default, DAEMON-pi1, DAEMON-scale)
#   show-paths.csv  daemon,ms: `show paths` round trips while BENCH_FLAP_PATHS paths flap (daemon: ours,
#                   debian), and during the fabric cycles (daemon: ours-fabric, debian-fabric)
#   fabric.csv      label,cycle,kind,dev_t,ms: each path's offline -> failed in DM (fail) and running ->
#                   active (reinstate), from the burst's first write; ms empty when it never came
#   metrics.csv     daemon,metric,value (metrics: see bench_metric's callers)
#   notes.txt       what happened, for the reader (timeouts, setup times, the guest)

BENCH_FLAPS=${BENCH_FLAPS:-32}            # samples per kind, daemon and setting (4 disks flap in parallel)
BENCH_FLAP_SETTINGS=${BENCH_FLAP_SETTINGS:-"default pi1"}
BENCH_HOLD_MS=${BENCH_HOLD_MS:-}          # the random extra hold; empty: 5000 at default, 1000 at pi1
BENCH_LUNS=${BENCH_LUNS:-256}
BENCH_HOSTS=${BENCH_HOSTS:-4}             # scsi_debug hosts: paths per LUN
BENCH_IDLE_S=${BENCH_IDLE_S:-120}
BENCH_FLAP_PATHS=${BENCH_FLAP_PATHS:-64}
BENCH_SCALE_FLAPS=${BENCH_SCALE_FLAPS:-2}  # cycles per flapping path while `show paths` is timed
BENCH_WAKE_S=${BENCH_WAKE_S:-60}
BENCH_MAPS_TIMEOUT_S=${BENCH_MAPS_TIMEOUT_S:-900}
BENCH_HUGE_LUNS=${BENCH_HUGE_LUNS:-0}
BENCH_FABRIC_CYCLES=${BENCH_FABRIC_CYCLES:-3}
BENCH_FABRIC_HOLD_S=${BENCH_FABRIC_HOLD_S:-15}
# How long every path may take to be failed, and to be back, before the cycle counts the rest as missed:
# the issue's "no path left failed 30 s after the fabric is back", with room for a loaded TCG guest.
BENCH_FABRIC_WAIT_S=${BENCH_FABRIC_WAIT_S:-60}
BENCH_DIR=${BENCH_DIR:-$LAB_OUT/bench}
mkdir -p "$BENCH_DIR"

bench_pid=
bench_watch_pid=

bench_note() { echo "$*"; echo "$*" >>"$BENCH_DIR/notes.txt"; }
# Progress, with the guest's uptime: where a slow step spends its time.
bench_step() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*"; }
bench_metric() { echo "$1,$2,$3" >>"$BENCH_DIR/metrics.csv"; echo "metric $1 $2 $3"; }

# bench_load LUNS HOSTS: scsi_debug with LUNS LUNs (at most 64 per target, each its own WWID) behind
# HOSTS hosts (paths per LUN); waits for udev and notes how long that took. Returns 1 if disks are missing.
bench_load() {
  local luns=$1 hosts=$2 tgts n t0=$EPOCHREALTIME
  tgts=$(( (luns + 63) / 64 ))
  [ $(( luns % tgts )) = 0 ] || fail "bench_load: $luns LUNs do not split evenly over $tgts targets"
  must modprobe dm_multipath
  must modprobe scsi_dh_alua
  bench_step "loading scsi_debug: $luns LUNs x $hosts paths"
  must modprobe scsi_debug add_host="$hosts" num_tgts=$tgts max_luns=$((luns / tgts)) vpd_use_hostno=0 dev_size_mb=16 ptype=0
  bench_step "waiting for udev"
  udevadm settle --timeout=1800 || bench_note "udev did not settle within 1800 s after loading $luns LUNs"
  n=$(scenario_disks | wc -l)
  bench_note "scsi_debug: $luns LUNs x $hosts paths: $n disks after $(ms_between "$t0" "$EPOCHREALTIME") ms (modprobe and udev settle); guest memory available: $(awk '/MemAvailable/ { print int($2 / 1024) " MB" }' /proc/meminfo)"
  [ "$n" = $((luns * hosts)) ] || { bench_note "expected $((luns * hosts)) scsi_debug disks, got $n"; return 1; }
}

# bench_start DAEMON LABEL [KEY VALUE]...: writes the config, starts `labtool watch` into
# $BENCH_DIR/watch-LABEL.log, then the daemon with its log in LABEL.log; at -v2: at -v3 its log lines
# would be written through 9p, whose stalls under TCG would be measured instead of the daemon. Both
# daemons start from the same state: no maps, no bindings or wwids file.
bench_start() {
  scenario_daemon=$1
  local label=$2
  shift 2
  scenario_config "$@"
  rm -f /etc/multipath/bindings /etc/multipath/wwids
  watch_log=$BENCH_DIR/watch-$label.log
  "${scenario_measure[@]}" "$labtool" watch "$watch_log" 2>>"$BENCH_DIR/watch-errors.log" &
  bench_watch_pid=$!
  wait_file_line "$watch_log" 2 || fail "labtool watch did not start: $(cat "$BENCH_DIR/watch-errors.log" 2>/dev/null)"
  # A cold start would read the binary and its plugins over 9p: warm the page cache first.
  "$(scenario_binary)" -h >/dev/null 2>&1
  [ "$scenario_daemon" = debian ] && cat /lib/multipath/*.so >/dev/null
  bench_step "starting $scenario_daemon ($label)"
  scenario_t0=$EPOCHREALTIME
  scenario_exec "$(scenario_binary)" -d -s -v2 >>"$BENCH_DIR/$label.log" 2>&1 </dev/null &
  bench_pid=$!
}

# bench_stop: the daemon and the watcher, then every map (one dmsetup for all: at 256 maps one
# process per map would take minutes under TCG), so that the next daemon starts from nothing.
bench_stop() {
  local p
  for p in $bench_pid $bench_watch_pid; do kill -TERM "$p" 2>/dev/null; done
  for p in $bench_pid $bench_watch_pid; do
    wait_until 10 pid_gone "$p" || kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  bench_pid='' bench_watch_pid=''
  bench_step "$scenario_daemon stopped; removing its maps"
  udevadm settle --timeout=120
  dmsetup remove_all >/dev/null 2>&1
  wait_until_sleep=1 wait_until 20 bench_maps_removed && return 0
  fail "maps left after stopping $scenario_daemon: $(dmsetup ls --target multipath | head -n 3 | tr '\n' ' ')"
}

# bench_maps_removed: true when no multipath map is left; otherwise lets udev settle and removes them all.
bench_maps_removed() {
  [ -z "$(dmsetup ls --target multipath 2>/dev/null | awk '$1 != "No"')" ] && return 0
  udevadm settle --timeout=60; dmsetup remove_all >/dev/null 2>&1
  return 1
}

# bench_all_maps MAPS PATHS TIMEOUT_S: waits until the watch log shows MAPS maps with PATHS active paths
# each; prints the milliseconds from the daemon's start to that line. Returns 1 on timeout.
bench_all_maps() { wait_until_sleep=1 wait_until "$3" bench_all_maps_seen "$1" "$2" "$(scenario_mono "$scenario_t0")"; }
bench_all_maps_seen() {
  local found
  found=$(awk -v n="$1" -v k="$2" -v since="$3" '
    /^#/ || $3 == "-" { next }
    $4 == "A" && !(($2, $3) in up) { up[$2, $3] = 1; if (++c[$2] == k) full++ }
    $4 != "A" && (($2, $3) in up) { delete up[$2, $3]; if (c[$2]-- == k) full-- }
    full >= n { printf "%.0f\n", ($1 / 1e9 - since) * 1000; exit }' < <(watch_lines))
  [ -n "$found" ] && echo "$found"
}

# bench_proc PID: "cpu_ticks voluntary_switches rss_kb hwm_kb", the switches summed over its threads
# (0.9.4 has several; ours one). Each voluntary switch is one sleep, ended by one wakeup.
bench_proc() {
  local ticks vcsw
  ticks=$(sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }')
  vcsw=$(cat /proc/"$1"/task/*/status | awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s }')
  echo "$ticks $vcsw $(awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { print r, h }' "/proc/$1/status")"
}

# bench_flaps DAEMON: on 6 paths to one LUN, BENCH_FLAPS reinstates and failures over 4 paths, at each of
# BENCH_FLAP_SETTINGS (default, pi1 = polling_interval 1). Samples to flap.csv as DAEMON-SETTING.
bench_flaps() {
  local daemon=$1 setting hold out
  for setting in $BENCH_FLAP_SETTINGS; do
    if [ "$setting" = pi1 ]; then
      bench_start "$daemon" "$daemon-$setting" polling_interval 1; hold=${BENCH_HOLD_MS:-1000}
    else
      bench_start "$daemon" "$daemon-$setting"; hold=${BENCH_HOLD_MS:-5000}
    fi
    bench_all_maps 1 6 60 >/dev/null || fail "$daemon $setting: no map with 6 active paths within 60 s"
    mapfile -t disks < <(scenario_table_disks "$(scenario_map)" 4)
    out=$("${scenario_measure[@]}" "$labtool" flap --label "$daemon-$setting" --csv "$BENCH_DIR/flap.csv" "${disks[@]}" \
      --count $(( (BENCH_FLAPS + 3) / 4 )) --hold-ms "$hold" --timeout-ms 30000 2>&1) || fail "labtool flap: $out"
    bench_note "$out"
    bench_stop
  done
}

# bench_scale DAEMON: start to all maps, then idle CPU and RSS, then `show paths` while paths flap.
bench_scale() {
  local daemon=$1 ms before after flapper t0 out ticks0 vcsw0 ticks1 vcsw1 rss1 hwm1
  bench_start "$daemon" "$daemon-scale"
  if ! ms=$(bench_all_maps "$BENCH_LUNS" "$BENCH_HOSTS" "$BENCH_MAPS_TIMEOUT_S"); then
    bench_note "$daemon: not every one of $BENCH_LUNS maps had $BENCH_HOSTS active paths within $BENCH_MAPS_TIMEOUT_S s ($(dmsetup ls --target multipath | grep -vc '^No') maps)"
    bench_stop
    return 0
  fi
  bench_metric "$daemon" start_to_maps_ms "$ms"
  # Idle: after udev has worked through the new maps' events, nothing changes.
  udevadm settle --timeout=300
  sleep 5
  before=$(bench_proc $bench_pid); t0=$EPOCHREALTIME
  sleep "$BENCH_IDLE_S"
  after=$(bench_proc $bench_pid)
  read -r ticks0 vcsw0 _ <<<"$before"
  read -r ticks1 vcsw1 rss1 hwm1 <<<"$after"
  bench_metric "$daemon" idle_s "$(( $(ms_between "$t0" "$EPOCHREALTIME") / 1000 ))"
  bench_metric "$daemon" idle_cpu_ms $(( (ticks1 - ticks0) * 1000 / $(getconf CLK_TCK) ))
  bench_metric "$daemon" idle_wakeups_per_s "$(awk -v a="$vcsw0" -v b="$vcsw1" -v s="$BENCH_IDLE_S" 'BEGIN { printf "%.2f", (b - a) / s }')"
  bench_metric "$daemon" vmrss_kb "$rss1"
  bench_metric "$daemon" vmhwm_kb "$hwm1"
  # `show paths` round trips, one connection at a time, for as long as the paths flap.
  mapfile -t disks < <(bench_host_disks "$BENCH_FLAP_PATHS")
  "${scenario_measure[@]}" "$labtool" flap --label "$daemon-scale" --csv "$BENCH_DIR/flap.csv" "${disks[@]}" \
    --count "$BENCH_SCALE_FLAPS" --hold-ms 2000 --timeout-ms 60000 >"$BENCH_DIR/flap-$daemon-scale.out" 2>&1 &
  flapper=$!
  while kill -0 $flapper 2>/dev/null; do
    out=$("${scenario_measure[@]}" "$labtool" control-load --csv "$BENCH_DIR/show-paths.csv" "$daemon" 0 5 show paths 2>&1) ||
      { bench_note "$daemon: show paths failed while flapping: $out"; sleep 1; }
  done
  wait $flapper || bench_note "$daemon: labtool flap failed: $(tail -n 2 "$BENCH_DIR/flap-$daemon-scale.out")"
  bench_note "$(cat "$BENCH_DIR/flap-$daemon-scale.out")"
  bench_stop
}

# bench_fabric DAEMON: start, every map built, then the fabric cycles on the first scsi_debug host's paths.
bench_fabric() {
  local daemon=$1 cycle t_off t_on mono ticks0 ticks1 poller n d
  local -a disks devs
  bench_start "$daemon" "$daemon-fabric"
  bench_all_maps "$BENCH_LUNS" "$BENCH_HOSTS" "$BENCH_MAPS_TIMEOUT_S" >/dev/null ||
    { bench_note "$daemon fabric: not every map had all its paths active"; bench_stop; return 0; }
  mapfile -t disks < <(bench_host_disks "$BENCH_LUNS")
  for d in "${disks[@]}"; do devs+=("$(cat "/sys/block/$d/dev")"); done
  n=${#disks[@]}
  ( while :; do "${scenario_measure[@]}" "$labtool" control-load --csv "$BENCH_DIR/show-paths.csv" "$daemon-fabric" 0 1 show paths >/dev/null 2>&1; sleep 1; done ) &
  poller=$!
  for cycle in $(seq 1 "$BENCH_FABRIC_CYCLES"); do
    ticks0=$(bench_proc "$bench_pid" | cut -d' ' -f1)
    t_off=$EPOCHREALTIME
    for d in "${disks[@]}"; do echo offline >"/sys/block/$d/device/state"; done
    bench_step "$daemon fabric cycle $cycle: $n paths offline in $(ms_between "$t_off" "$EPOCHREALTIME") ms"
    mono=$(scenario_mono "$t_off")
    wait_until_sleep=0.5 wait_until "$BENCH_FABRIC_WAIT_S" bench_fabric_all F "$mono" "${devs[@]}" ||
      bench_note "$daemon fabric cycle $cycle: not every path failed within $BENCH_FABRIC_WAIT_S s"
    # The hold is the scenario's own: the fabric stays down that long from its first write.
    sleep "$(awk -v s="$BENCH_FABRIC_HOLD_S" -v a="$t_off" -v b="$EPOCHREALTIME" 'BEGIN { r = s - (b - a); print (r > 0 ? r : 0) }')"
    t_on=$EPOCHREALTIME
    for d in "${disks[@]}"; do echo running >"/sys/block/$d/device/state"; done
    bench_step "$daemon fabric cycle $cycle: $n paths running in $(ms_between "$t_on" "$EPOCHREALTIME") ms"
    wait_until_sleep=0.5 wait_until "$BENCH_FABRIC_WAIT_S" bench_fabric_all A "$(scenario_mono "$t_on")" "${devs[@]}" ||
      bench_note "$daemon fabric cycle $cycle: not every path was active again within $BENCH_FABRIC_WAIT_S s"
    ticks1=$(bench_proc "$bench_pid" | cut -d' ' -f1)
    bench_metric "$daemon" "fabric_cpu_ms_$cycle" $(( (ticks1 - ticks0) * 1000 / $(getconf CLK_TCK) ))
    bench_fabric_samples "$daemon-fabric" "$cycle" fail F "$mono" "${devs[@]}"
    bench_fabric_samples "$daemon-fabric" "$cycle" reinstate A "$(scenario_mono "$t_on")" "${devs[@]}"
  done
  kill "$poller" 2>/dev/null; wait "$poller" 2>/dev/null
  bench_metric "$daemon" fabric_vmrss_kb "$(awk '/^VmRSS/ { print $2 }' "/proc/$bench_pid/status")"
  bench_stop
}

# bench_fabric_first STATE SINCE_MONO DEV_T...: "DEV_T MS" for each path's first STATE line after SINCE_MONO
# (ms from it; nothing for a path that has none).
bench_fabric_first() {
  local state=$1 since=$2
  shift 2
  awk -v want="$state" -v since="$since" -v list="$*" '
    BEGIN { n = split(list, a, " "); for (i = 1; i <= n; i++) wanted[a[i]] = 1 }
    /^#/ || !($3 in wanted) || ($3 in first) { next }
    $4 == want && $1 / 1e9 >= since { first[$3] = ($1 / 1e9 - since) * 1000; printf "%s %.1f\n", $3, first[$3] }' < <(watch_lines)
}
# bench_fabric_all STATE SINCE_MONO DEV_T...: true once every path has had a STATE line since then.
bench_fabric_all() {
  local state=$1 since=$2
  shift 2
  [ "$(bench_fabric_first "$state" "$since" "$@" | wc -l)" = $# ]
}
# bench_fabric_samples LABEL CYCLE KIND STATE SINCE_MONO DEV_T...: one fabric.csv line per path.
bench_fabric_samples() {
  local label=$1 cycle=$2 kind=$3 state=$4 since=$5
  shift 5
  awk -v label="$label" -v cycle="$cycle" -v kind="$kind" -v list="$*" '
    { ms[$1] = $2 }
    END { n = split(list, a, " "); for (i = 1; i <= n; i++) print label "," cycle "," kind "," a[i] "," ms[a[i]] }' \
    < <(bench_fabric_first "$state" "$since" "$@") >>"$BENCH_DIR/fabric.csv"
}

# bench_host_disks N: N disks (sdX) behind the first scsi_debug host, hence N different LUNs. Builtins
# only: a process per device costs minutes at a thousand devices under TCG.
bench_host_disks() {
  local d model h first='' b
  for d in /sys/bus/scsi/devices/*:*:*:*; do
    model=''
    read -r model <"$d/model" 2>/dev/null
    [[ $model == *scsi_debug* ]] || continue
    h=${d##*/}
    h=${h%%:*}
    if [ -z "$first" ] || [ "$h" -lt "$first" ]; then first=$h; fi
  done
  for b in /sys/bus/scsi/devices/"$first":*/block/sd*; do [ -e "$b" ] && echo "${b##*/}"; done | sort -V | head -n "$1"
}

# bench_wakeups DAEMON: voluntary switches per second over BENCH_WAKE_S seconds with no devices.
bench_wakeups() {
  local daemon=$1 before after ticks0 vcsw0 ticks1 vcsw1
  bench_start "$daemon" "$daemon-nomaps"
  sleep 5
  before=$(bench_proc $bench_pid)
  sleep "$BENCH_WAKE_S"
  after=$(bench_proc $bench_pid)
  read -r ticks0 vcsw0 _ <<<"$before"
  read -r ticks1 vcsw1 _ <<<"$after"
  bench_metric "$daemon" nomaps_wakeups_per_s "$(awk -v a="$vcsw0" -v b="$vcsw1" -v s="$BENCH_WAKE_S" 'BEGIN { printf "%.2f", (b - a) / s }')"
  bench_metric "$daemon" nomaps_cpu_ms $(( (ticks1 - ticks0) * 1000 / $(getconf CLK_TCK) ))
  bench_stop
}

# bench_huge: BENCH_HUGE_LUNS LUNs; start to all maps and peak RSS per daemon, each step time-boxed.
bench_huge() {
  local daemon ms t0=$EPOCHREALTIME
  bench_load "$BENCH_HUGE_LUNS" "$BENCH_HOSTS" || { bench_note "huge: stopped at loading the LUNs"; return 0; }
  for daemon in debian ours; do
    bench_start "$daemon" "$daemon-huge"
    if ms=$(bench_all_maps "$BENCH_HUGE_LUNS" "$BENCH_HOSTS" "$BENCH_MAPS_TIMEOUT_S"); then
      bench_metric "$daemon" huge_start_to_maps_ms "$ms"
      bench_metric "$daemon" huge_vmhwm_kb "$(awk '/^VmHWM/ { print $2 }' /proc/$bench_pid/status)"
    else
      bench_note "huge: $daemon: not every one of $BENCH_HUGE_LUNS maps had $BENCH_HOSTS active paths within $BENCH_MAPS_TIMEOUT_S s ($(dmsetup ls --target multipath | grep -vc '^No') maps)"
    fi
    bench_stop
  done
  bench_note "huge: $BENCH_HUGE_LUNS LUNs took $(( $(ms_between "$t0" "$EPOCHREALTIME") / 1000 )) s in all"
}

# bench_clean: no maps and no scsi_debug (scenario.sh's cleanup, also for what earlier cases left).
bench_clean() {
  bench_step "removing maps and scsi_debug"
  scenario_clean || fail "cannot remove the maps or scsi_debug"
}

# Under TCG each process udev spawns costs 0.1 to 0.5 s, and a scsi_debug disk's add event spawns
# about eight: sg3-utils' 55-scsi-sg3_id.rules (three sg_inq, two sh|sed) and multipath-tools'
# 60-multipath.rules (`multipath -u`, which reads the configuration and the maps). At a thousand disks
# that is most of an hour before a daemon starts. Both are masked during the bench (put back after):
# 60-persistent-storage.rules then sets ID_SERIAL with one scsi_id, and `multipath -u`'s answer matters
# to neither daemon with find_multipaths no. The dm rules (kpartx, blkid on each map) stay.
bench_udev_rules() {
  local r
  for r in 55-scsi-sg3_id.rules 60-multipath.rules; do
    if [ "$1" = mask ]; then : >/etc/udev/rules.d/$r; else rm -f /etc/udev/rules.d/$r; fi
  done
  udevadm control --reload
}

# bench_begin: no daemon, maps or scsi_debug; udev rules masked until bench_end (or the case's exit);
# fresh sample files with the sizes.
bench_begin() {
  trap 'bench_stop; bench_udev_rules unmask' EXIT
  daemon_kill
  bench_clean
  bench_udev_rules mask
  rm -f "$BENCH_DIR/notes.txt"
  bench_note "guest: $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) " MB" }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
  bench_note "sizes: flaps=$BENCH_FLAPS settings=[$BENCH_FLAP_SETTINGS] luns=$BENCH_LUNS hosts=$BENCH_HOSTS idle_s=$BENCH_IDLE_S flap_paths=$BENCH_FLAP_PATHS wake_s=$BENCH_WAKE_S huge_luns=$BENCH_HUGE_LUNS fabric_cycles=$BENCH_FABRIC_CYCLES fabric_hold_s=$BENCH_FABRIC_HOLD_S"
  rm -f "$BENCH_DIR/flap.csv"
  echo "label,cycle,kind,dev_t,ms" >"$BENCH_DIR/fabric.csv"
  echo "daemon,ms" >"$BENCH_DIR/show-paths.csv"
  echo "daemon,metric,value" >"$BENCH_DIR/metrics.csv"
  # The sizes, for the report's row names.
  bench_metric all luns "$BENCH_LUNS"; bench_metric all hosts "$BENCH_HOSTS"; bench_metric all idle_s "$BENCH_IDLE_S"
  bench_metric all flap_paths "$BENCH_FLAP_PATHS"; bench_metric all wake_s "$BENCH_WAKE_S"; bench_metric all huge_luns "$BENCH_HUGE_LUNS"
  bench_metric all fabric_cycles "$BENCH_FABRIC_CYCLES"; bench_metric all fabric_hold_s "$BENCH_FABRIC_HOLD_S"
}

bench_end() {
  trap - EXIT
  bench_udev_rules unmask
}

bench_all() {
  local daemon t0=$EPOCHREALTIME
  bench_begin
  if [ -n "$BENCH_FLAP_SETTINGS" ]; then
    bench_load 1 6 || fail "scsi_debug for the flaps"
    for daemon in debian ours; do bench_flaps $daemon; done
    bench_clean
  fi

  bench_load "$BENCH_LUNS" "$BENCH_HOSTS" || fail "scsi_debug for the scale runs"
  for daemon in debian ours; do bench_scale $daemon; done
  if [ "$BENCH_FABRIC_CYCLES" -gt 0 ]; then
    for daemon in debian ours; do bench_fabric $daemon; done
  fi
  bench_clean

  for daemon in debian ours; do bench_wakeups $daemon; done

  [ "$BENCH_HUGE_LUNS" -gt 0 ] && { bench_huge; bench_clean; }
  bench_end
  bench_note "bench: $(( $(ms_between "$t0" "$EPOCHREALTIME") / 1000 )) s in the guest"
}

# Run as the VM's command (lab/bench.sh): the lab case environment, then everything.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  export LAB_REPO=$1 LAB_OUT=$2 LAB_BIN=$3 LAB_CASE=bench LAB_WHY=$2/bench.why
  . "$LAB_REPO/lab/guest/lib.sh"
  . "$LAB_REPO/lab/guest/scenario.sh"
  BENCH_DIR=$LAB_OUT/bench
  mkdir -p "$BENCH_DIR"
  cut -d' ' -f1 /proc/uptime >"$LAB_OUT/started"
  modprobe dm_mod
  (bench_all) >"$LAB_OUT/bench.log" 2>&1
  echo $? >"$LAB_OUT/bench.status"
fi
