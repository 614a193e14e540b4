# lab-timeout: 300
# Debian's multipathd 0.9.4, then ours; 2 scsi_debug paths to 3 LUNs, lab config (polling_interval 5,
# the default): maps q_queue (no_path_retry queue), q_retry12 (12 x 5 s = 60 s of queueing) and
# q_retry2 (2 x 5 s = 10 s). A writer per map writes a random pattern chunk by chunk with direct I/O
# while every path is offline for 20 s. q_queue and q_retry12 keep queueing: a write stalls through the
# outage, then completes. q_retry2 stops queueing 10 s after its last path failed (ours: within
# -0.3/+1.5 s; 0.9.4's figure printed too), and its writer sees its first error then, not before. After
# the return every map queues again and every chunk whose write succeeded reads back as written.
. "$LAB_REPO/lab/guest/queueing.sh"
maps=(q_queue q_retry12 q_retry2)

all_active() { local m; for m in "${maps[@]}"; do qio_active_paths "$m" 2 || return 1; done; }
all_failed_since() { local m; for m in "${maps[@]}"; do qio_has_all_in_state "$m" F "$1" || return 1; done; }
passed() { [ $(( ${EPOCHREALTIME/./} - ${1/./} )) -ge $(( $2 * 1000000 )) ]; }

steps() {
  local daemon=$1 m t_off t_on qoff fmono lines stall first_err d err_ms
  scenario_luns=3 scenario_begin "$daemon" 2
  rm -f "$lab_state/qoff"
  trap 'qio_release; scenario_end' EXIT
  qio_multipaths q_queue:queue q_retry12:12 q_retry2:2
  scenario_start
  wait_until 60 all_active || fail "$daemon: maps ${maps[*]} not all up with 2 active paths within 60 s: $(dmsetup ls --target multipath | tr '\n' ' ')"
  udevadm settle --timeout=30
  qio_writers_start "${maps[@]}"
  for m in "${maps[@]}"; do qio_wait_writes "$m" 3 || fail "$daemon: $m: the writer did not write 3 chunks within 20 s"; done

  # When q_retry2's queueing ends, to the millisecond (polled in-process).
  ("$labtool" wait-queueing q_retry2 off 40000 >"$lab_state/qoff.new" && mv "$lab_state/qoff.new" "$lab_state/qoff") &
  t_off=$EPOCHREALTIME
  qio_paths offline
  wait_until 30 all_failed_since "$t_off" || fail "$daemon: not every path failed in DM within 30 s of going offline"
  wait_file "$lab_state/qoff" 40 || fail "$daemon: q_retry2 still queueing 40 s after the paths went offline"
  qoff=$(cat "$lab_state/qoff")
  fmono=$(qio_all_in_state q_retry2 F "$t_off")
  # Ms from the last path failed (watch log, monotonic) to queueing seen off (converted to that clock).
  d=$(awk -v q="$(scenario_mono "$qoff")" -v f="$fmono" 'BEGIN { printf "%d", (q - f) * 1000 }')
  scenario_timing "$daemon: q_retry2 (no_path_retry 2, polling_interval 5): last path failed -> queue_if_no_path off in $d ms (expected 10000)"
  wait_until 30 passed "$t_off" 20
  for m in q_queue q_retry12; do qio_queueing "$m" || fail "$daemon: $m stopped queueing during the outage"; done
  t_on=$EPOCHREALTIME
  qio_paths running
  wait_until 30 all_active || fail "$daemon: paths not all active again within 30 s of returning"
  scenario_timing "$daemon: paths back after 20 s offline -> all active in $(ms_between "$t_on" "$EPOCHREALTIME") ms"
  wait_until 20 qio_queueing q_retry2 || fail "$daemon: q_retry2 not queueing again within 20 s of its paths' return"
  for m in "${maps[@]}"; do wait_until 20 qio_wrote_after "$m" "$t_on" || fail "$daemon: $m: no successful write after the return"; done
  qio_writers_stop

  for m in q_queue q_retry12; do
    lines=$(qio_writes "$m")
    stall=$(echo "$lines" | awk '{ d = $4 - $3; if (d > m) m = d } END { printf "%d", m * 1000 }')
    scenario_timing "$daemon: $m: the longest write took $stall ms, $(echo "$lines" | awk '$2 != 0' | wc -l) failed"
    [ "$(echo "$lines" | awk '$2 != 0' | wc -l)" = 0 ] || fail "$daemon: $m: writes failed: $(tail -n 2 "$lab_state/qio-$m.err" | tr '\n' ' ')"
    [ "$stall" -ge 15000 ] || fail "$daemon: $m: no write stalled through the outage (longest $stall ms)"
  done
  first_err=$(qio_writes q_retry2 | awk '$2 != 0 { print $4; exit }')
  [ -n "$first_err" ] || fail "$daemon: q_retry2: no write failed while it did not queue"
  err_ms=$(ms_between "$qoff" "$first_err")
  scenario_timing "$daemon: q_retry2: first write error $err_ms ms after queueing was seen off"
  # Seen off within a few ms (polled every 2 ms); the queued write fails at once then.
  [ "$err_ms" -ge -100 ] || fail "$daemon: q_retry2: a write failed $err_ms ms before queueing was seen off"
  [ "$err_ms" -le 2000 ] || fail "$daemon: q_retry2: the first write error came $err_ms ms after queueing stopped"
  if [ "$daemon" = ours ]; then
    [ "$d" -ge 9700 ] && [ "$d" -le 11500 ] || fail "ours: q_retry2 stopped queueing $d ms after its last path failed (10000, -300/+1500)"
  fi
  local i=0
  for m in "${maps[@]}"; do qio_verify "$m" $i; i=$((i + 1)); done
}
scenario_both steps
