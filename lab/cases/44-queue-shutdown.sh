# lab-timeout: 300
# Debian's multipathd 0.9.4, then ours; 2 scsi_debug paths, lab config (polling_interval 5) with
# no_path_retry queue. Every path offline, a direct write queued in the map:
# - queue_without_daemon no, SIGTERM: the daemon turns queueing off and exits (ours within 3 s); the
#   queued write fails.
# - Started again, `forcequeueing daemon`, then `shutdown` over the control socket: the daemon exits
#   (ours within 3 s) and the map keeps queueing, a new write stays queued.
# - Started again under queue_without_daemon yes, SIGTERM: the same. Then the paths return, the daemon
#   starts again, reinstates them and the queued write completes. Every chunk whose write succeeded
#   reads back as written.
. "$LAB_REPO/lab/guest/queueing.sh"

has_failed_write() { qio_writes "$1" | awk '$2 != 0 { ok = 1 } END { exit !ok }'; }
daemon_has_map() { scenario_cli show maps 2>/dev/null | grep -qw "$1"; }
# still_queued WHEN: the map queues and the queued write has not ended.
still_queued() {
  qio_queueing "$map" || fail "$daemon: $map stopped queueing $1"
  [ -z "$(qio_writes "$map")" ] || fail "$daemon: the queued write ended $1: $(qio_writes "$map")"
}
# stop_daemon DAEMON HOW LIMIT_MS: stops the running daemon by HOW (sigterm, shutdown) and waits until
# it has exited; sets stopped_at ($EPOCHREALTIME when asked) and stopped_ms (how long it took), fails
# the case beyond LIMIT_MS.
stop_daemon() {
  local pid t
  pid=$(cat "$lab_state/scenario.daemon")
  t=$EPOCHREALTIME
  stopped_at=$t
  case $2 in
    sigterm) kill -TERM "$pid" ;;
    shutdown) scenario_cli shutdown >/dev/null || fail "$1: the shutdown command failed" ;;
  esac
  wait_until_sleep=0.02 wait_until 30 pid_gone "$pid" || fail "$1: still running 30 s after $2"
  stopped_ms=$(ms_between "$t" "$EPOCHREALTIME")
  [ "$stopped_ms" -le "$3" ] || fail "$1: exited $stopped_ms ms after $2 (limit $3 ms)"
}

steps() {
  local daemon=$1 map t limit=30000 n
  [ "$daemon" = ours ] && limit=3000
  scenario_begin "$daemon" 2 no_path_retry queue queue_without_daemon no
  trap 'qio_release; scenario_end' EXIT
  scenario_start
  scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with 2 active paths within 60 s"
  map=$(scenario_map)
  udevadm settle --timeout=30
  qio_writers_start "$map"
  qio_wait_writes "$map" 2 || fail "$daemon: the writer did not write 2 chunks within 20 s"
  t=$EPOCHREALTIME
  qio_paths offline
  wait_until 30 qio_has_all_in_state "$map" F "$t" || fail "$daemon: paths not failed within 30 s of going offline"
  n=$(qio_writes "$map" | wc -l)
  sleep 1  # a write is queued now: the log stays as it was
  [ "$(qio_writes "$map" | wc -l)" = "$n" ] && qio_queueing "$map" || fail "$daemon: no write queued with every path down"

  stop_daemon "$daemon" sigterm $limit
  scenario_timing "$daemon: queue_without_daemon no, I/O queued, SIGTERM -> exited in $stopped_ms ms"
  qio_queueing "$map" && fail "$daemon: $map still queueing after the daemon exited (queue_without_daemon no)"
  wait_until 10 has_failed_write "$map" || fail "$daemon: the queued write did not fail within 10 s of the daemon's exit"
  qio_writers_stop
  scenario_timing "$daemon: the queued write failed $(ms_between "$stopped_at" "$(qio_writes "$map" | awk '$2 != 0 { print $4; exit }')") ms after SIGTERM"

  # forcequeueing daemon, the configuration still saying no: queueing stays at a shutdown command.
  scenario_start
  wait_until 60 daemon_has_map "$map" || fail "$daemon: $map not shown within 60 s of the start"
  wait_until 30 qio_queueing "$map" || fail "$daemon: $map not queueing within 30 s of the start (paths down)"
  qio_writers_start "$map"
  sleep 1  # the first write is queued
  [ -z "$(qio_writes "$map")" ] || fail "$daemon: a write went through with every path down: $(qio_writes "$map")"
  scenario_cli forcequeueing daemon >/dev/null || fail "$daemon: forcequeueing daemon failed"
  stop_daemon "$daemon" shutdown $limit
  scenario_timing "$daemon: queue_without_daemon no + forcequeueing daemon, I/O queued, shutdown command -> exited in $stopped_ms ms"
  still_queued "after forcequeueing daemon and shutdown"

  # queue_without_daemon yes: queueing stays at SIGTERM.
  scenario_config no_path_retry queue queue_without_daemon yes
  scenario_start
  wait_until 60 daemon_has_map "$map" || fail "$daemon: $map not shown within 60 s of the start"
  stop_daemon "$daemon" sigterm $limit
  scenario_timing "$daemon: queue_without_daemon yes, I/O queued, SIGTERM -> exited in $stopped_ms ms"
  still_queued "after SIGTERM under queue_without_daemon yes"
  qio_paths running
  t=$EPOCHREALTIME
  scenario_start
  wait_until 60 qio_wrote_after "$map" "$t" || fail "$daemon: the queued write did not complete within 60 s of the paths' return and the start"
  scenario_timing "$daemon: paths back and daemon started -> the queued write completed in $(ms_between "$t" "$(qio_writes "$map" | awk 'NR == 1 { print $4 }')") ms"
  qio_writers_stop
  [ "$(qio_writes "$map" | awk '$2 != 0' | wc -l)" = 0 ] || fail "$daemon: writes failed: $(tail -n 2 "$lab_state/qio-$map.err" | tr '\n' ' ')"
  qio_verify "$map" 0
}
scenario_both steps
