# Where our loop's time goes at scale (issue 16: at 1,024 paths `show paths` took seconds and reinstates
# tens of seconds while 64 paths flapped). scsi_debug STALL_LUNS (256) LUNs x 4 hosts; ours starts as
# its unit starts it (RLIMIT_RTPRIO STALL_RTPRIO, 10: SCHED_RR 10; 0: none) and builds every map; a
# sampler reads the daemon's /proc state, wchan, current system call and schedstat every 50 ms (bash
# builtins only, into the guest's tmpfs) through the start, STALL_IDLE_S (30) idle seconds, then 64
# paths of one host flapping twice (2 s hold) while `show paths` is timed, as lab/guest/bench.sh's scale
# step does. The daemon logs at -v2 to the guest's tmpfs (STALL_LOG=9p: to the 9p share, as the bench).
# Prints, per phase: CPU time, time runnable but waiting for a CPU, switches, the guest's load, system
# calls the daemon sat in for over 200 ms; the flap's figures and `show paths` quantiles; then its system
# calls by kind over 20 idle seconds (strace -c).
# Not in CI (about 40 minutes, most of it udev adding the disks):
#   LAB_MEMORY=3G lab/run.sh --release --case 63-scale-stall
# lab-timeout: 5400
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/bench.sh"
BENCH_DIR=$LAB_OUT/stall
mkdir -p "$BENCH_DIR"
luns=${STALL_LUNS:-256}
exec {tick0}<> <(:)

# stall_sample PID OUT: "time state wchan syscall arg1 cpu_ns runq_ns voluntary involuntary load1" lines.
stall_sample() {
  local pid=$1 out=$2 w nr a1 st oncpu waited load key val vol=0 invol=0
  while [ -d "/proc/$pid" ]; do
    # wchan has no newline: read returns 1 at its end with the word read.
    w=''; read -r w <"/proc/$pid/wchan" 2>/dev/null || [ -n "$w" ] || break
    read -r nr a1 _ <"/proc/$pid/syscall" 2>/dev/null || nr=unknown
    read -r st <"/proc/$pid/stat" 2>/dev/null || break
    read -r oncpu waited _ <"/proc/$pid/schedstat" 2>/dev/null || break
    while read -r key val _; do
      case $key in
        voluntary_ctxt_switches:) vol=$val ;;
        nonvoluntary_ctxt_switches:) invol=$val ;;
      esac
    done <"/proc/$pid/status"
    read -r load _ </proc/loadavg
    st=${st#*) }
    echo "$EPOCHREALTIME ${st%% *} ${w:-0} $nr ${a1:--} $oncpu $waited $vol $invol $load" >>"$out"
    read -rt 0.05 -u "$tick0" _ || :
  done
}

# stall_report PHASE SAMPLES
stall_report() {
  awk -v phase="$1" 'NR == 1 { t0 = $1; c0 = $6; w0 = $7; v0 = $8; i0 = $9 }
    { t = $1; c = $6; w = $7; v = $8; i = $9; l += $10; n++; s[$2]++ }
    END {
      printf "== %s: %.1f s sampled: on a CPU %.1f s, runnable waiting for one %.1f s, the rest asleep; ", phase, t - t0, (c - c0) / 1e9, (w - w0) / 1e9
      printf "%d voluntary and %d involuntary switches; guest load %.1f; samples by state:", v - v0, i - i0, l / n
      for (k in s) printf " %s=%d", k, s[k]
      print ""
    }' "$2"
  echo "== $1: system calls the daemon sat in for over 200 ms (state wchan syscall arg1 ms):"
  awk '{ key = $2 " " $3 " " $4 " " $5 }
       key != last { if (last != "" && (prev - t0) * 1000 > 200) printf "%s %.0f\n", last, (prev - t0) * 1000; t0 = $1; last = key }
       { prev = $1 }
       END { if ((prev - t0) * 1000 > 200) printf "%s %.0f\n", last, (prev - t0) * 1000 }' "$2" | sort -k5 -n -r | head -20
}

stall_run() {
  local log sampler flapper out ms
  scenario_daemon=ours
  scenario_config
  rm -f /etc/multipath/bindings /etc/multipath/wwids
  watch_log=$BENCH_DIR/watch.log
  "${scenario_measure[@]}" "$labtool" watch "$watch_log" 2>>"$BENCH_DIR/watch-errors.log" &
  bench_watch_pid=$!
  wait_file_line "$watch_log" 2 || fail "labtool watch did not start"
  if [ "${STALL_LOG:-tmpfs}" = 9p ]; then log=$BENCH_DIR/ours.log; else log=$lab_state/ours.log; fi
  scenario_t0=$EPOCHREALTIME
  # As its unit starts it (LimitRTPRIO=10): the daemon takes SCHED_RR at what the limit allows.
  prlimit --rtprio="${STALL_RTPRIO:-10}" "$LAB_BIN" -d -v2 >>"$log" 2>&1 </dev/null &
  bench_pid=$!
  stall_sample "$bench_pid" "$lab_state/samples-start" &
  sampler=$!
  ms=$(bench_all_maps "$luns" 4 900) || fail "not every map built"
  kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
  bench_step "all maps $ms ms after the start; $(chrt -p "$bench_pid" | tr '\n' ' ')"
  udevadm settle --timeout=600
  bench_step "settled"
  stall_sample "$bench_pid" "$lab_state/samples-idle" &
  sampler=$!
  read -rt "${STALL_IDLE_S:-30}" -u "$tick0" _ || :
  kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
  stall_sample "$bench_pid" "$lab_state/samples-flap" &
  sampler=$!
  mapfile -t disks < <(bench_host_disks 64)
  "${scenario_measure[@]}" "$labtool" flap --label ours --csv "$BENCH_DIR/flap.csv" "${disks[@]}" \
    --count 2 --hold-ms 2000 --timeout-ms 60000 >"$BENCH_DIR/flap.out" 2>&1 &
  flapper=$!
  while kill -0 $flapper 2>/dev/null; do
    out=$("${scenario_measure[@]}" "$labtool" control-load --csv "$BENCH_DIR/show-paths.csv" ours 0 5 show paths 2>&1) ||
      { echo "show paths failed: $out"; read -rt 1 -u "$tick0" _ || :; }
  done
  wait $flapper || echo "labtool flap failed"
  kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
  cp "$lab_state"/samples-* "$BENCH_DIR/"
  [ "$log" = "$BENCH_DIR/ours.log" ] || cp "$log" "$BENCH_DIR/"
  # System calls by kind over STALL_STRACE_S (20) seconds once the flaps are over (strace -c: counts,
  # at ptrace's cost, so after the timed parts).
  udevadm settle --timeout=600
  timeout "${STALL_STRACE_S:-20}" strace -c -f -p "$bench_pid" -o "$BENCH_DIR/strace-c.txt" 2>/dev/null || :
  echo "== idle again: system calls in ${STALL_STRACE_S:-20} s ($((luns * 4)) paths at polling_interval 5: $((luns * 4 / 5)) checks a second due):"
  head -n 25 "$BENCH_DIR/strace-c.txt"
  stall_report start "$lab_state/samples-start"
  stall_report idle "$lab_state/samples-idle"
  stall_report flap "$lab_state/samples-flap"
  echo "== flap: $(cat "$BENCH_DIR/flap.out")"
  echo "== flap: show paths ms: $(awk -F, '$1 == "ours" { print $2 }' "$BENCH_DIR/show-paths.csv" | sort -n |
    awk '{ a[NR] = $1 } END { printf "n=%d p50=%.0f p99=%.0f max=%.0f", NR, a[int(NR * 0.5) + 1], a[int(NR * 0.99) + 1], a[NR] }')"
  bench_stop
}

bench_begin
bench_load "$luns" 4 || fail "scsi_debug: $luns LUNs x 4"
stall_run
bench_clean
bench_end
