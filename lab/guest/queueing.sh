# Helpers for the queueing cases (all paths down under no_path_retry; shutdown with queueing maps):
# maps over several scsi_debug LUNs, each with its own alias and no_path_retry; writers that put a
# known pattern through a map with direct I/O, one chunk at a time, logging each write's outcome and
# times; a check that every chunk whose write succeeded reads back as written. Sourced by a case.
#
#   qio_multipaths ALIAS:NO_PATH_RETRY...   appends a multipaths section to /etc/multipath.conf: LUN i
#                                           (in order) gets the i-th alias and no_path_retry
#   qio_writers_start ALIAS...              one writer per map (region i of the shared store), in the
#                                           background; qio_writers_stop ends them
#   qio_writes ALIAS                        the writer's log: "chunk status start end" per write
#   qio_wait_writes ALIAS N [TIMEOUT_S]     waits until the writer logged N writes in all
#   qio_wrote_after ALIAS T                 true once a write that ended after T (an $EPOCHREALTIME)
#                                           succeeded, or the writer wrote every chunk
#   qio_verify ALIAS INDEX                  fails the case unless every chunk written with status 0 reads
#                                           back as written; prints "ALIAS: W written, F failed"
#   qio_paths STATE                         writes STATE (offline, running) to every scsi_debug disk
#   qio_release                             after a failure: nothing stays blocked on queued I/O
#   qio_queueing ALIAS                      true while ALIAS's table has queue_if_no_path
#   qio_active_paths ALIAS N                true when N of ALIAS's paths are active (A) in DM
#   qio_all_in_state ALIAS STATE SINCE      the watch log's first time (monotonic s) at or after SINCE
#                                           (an $EPOCHREALTIME) when all of ALIAS's paths were in STATE
. "$LAB_REPO/lab/guest/scenario.sh"

# 64 KiB chunks, 64 per map: three maps fit scsi_debug's 16 MiB store, which all its LUNs share, so
# each map writes its own region.
qio_chunk=65536
qio_chunks=64

qio_lun_disks() {
  local d
  for d in /sys/bus/scsi/devices/*:*:*:"$1"; do grep -q scsi_debug "$d/model" 2>/dev/null && ls "$d/block"; done
}

# The WWID both daemons give a scsi_debug disk: udev's ID_SERIAL (uid_attribute).
qio_uid() { udevadm info -q property -n "$1" | sed -n 's/^ID_SERIAL=//p'; }

qio_multipaths() {
  local lun=0 spec uid
  {
    echo "multipaths {"
    for spec in "$@"; do
      uid=$(qio_uid "$(qio_lun_disks $lun | head -n 1)")
      [ -n "$uid" ] || fail "no ID_SERIAL for LUN $lun"
      printf '    multipath {\n        wwid %s\n        alias %s\n        no_path_retry %s\n    }\n' "$uid" "${spec%%:*}" "${spec#*:}"
      lun=$((lun + 1))
    done
    echo "}"
  } >>/etc/multipath.conf
  cp /etc/multipath.conf "$LAB_OUT/multipath.conf-$LAB_CASE"
}

qio_writes() { cat "$lab_state/qio-$1.log" 2>/dev/null; }

# One map's writer: chunk i of its pattern to chunk INDEX x qio_chunks + i of the map, until the stop
# file exists or every chunk is written. A write blocked by queueing stays blocked: that is the point.
qio_writer() {
  local map=$1 base=$(($2 * qio_chunks)) i=0 t0 rc
  while [ $i -lt $qio_chunks ] && [ ! -e "$lab_state/qio.stop" ]; do
    t0=$EPOCHREALTIME
    dd if="$lab_state/pattern-$map" of="/dev/mapper/$map" bs=$qio_chunk skip=$i seek=$((base + i)) count=1 \
      oflag=direct conv=notrunc status=none 2>>"$lab_state/qio-$map.err"
    rc=$?
    echo "$i $rc $t0 $EPOCHREALTIME" >>"$lab_state/qio-$map.log"
    i=$((i + 1))
    sleep 0.2
  done
}

qio_writer_pids=()
qio_writers_start() {
  local map index=0
  qio_writer_pids=()
  rm -f "$lab_state/qio.stop"
  for map in "$@"; do
    wait_file "/dev/mapper/$map" 20 || fail "no /dev/mapper/$map"
    head -c $((qio_chunk * qio_chunks)) /dev/urandom >"$lab_state/pattern-$map"
    : >"$lab_state/qio-$map.log"
    : >"$lab_state/qio-$map.err"
    qio_writer "$map" $index &
    qio_writer_pids+=($!)
    echo $! >>"$scenario_pids"
    index=$((index + 1))
  done
}

qio_writers_stop() {
  touch "$lab_state/qio.stop"
  # `wait` without pids would wait for the daemon too.
  [ ${#qio_writer_pids[@]} -eq 0 ] || wait "${qio_writer_pids[@]}" 2>/dev/null
  qio_writer_pids=()
}

qio_wait_writes() { wait_until "${3:-20}" qio_has_writes "$1" "$2"; }
qio_has_writes() { [ "$(qio_writes "$1" | wc -l)" -ge "$2" ]; }
qio_wrote_after() { qio_writes "$1" | awk -v t="$2" -v n="$qio_chunks" '$2 == 0 && $4 > t { ok = 1 } END { exit !(ok || NR >= n) }'; }

qio_verify() {
  local map=$1 dir=$lab_state/verify-$1 written failed bad
  rm -rf "$dir"
  mkdir -p "$dir/got" "$dir/want"
  dd if="/dev/mapper/$map" of="$dir/got.img" bs=$qio_chunk skip=$(($2 * qio_chunks)) count=$qio_chunks iflag=direct status=none ||
    fail "$map: cannot read its region back"
  (cd "$dir/got" && split -b $qio_chunk -d -a 3 ../got.img c && cksum c* >../got.sum)
  (cd "$dir/want" && split -b $qio_chunk -d -a 3 "$lab_state/pattern-$map" c && cksum c* >../want.sum)
  written=$(qio_writes "$map" | awk '$2 == 0' | wc -l)
  failed=$(qio_writes "$map" | awk '$2 != 0' | wc -l)
  # A chunk whose write succeeded must read back as written (its last write: each chunk is written once).
  bad=$(awk 'FILENAME ~ /log$/ { if ($2 == 0) ok[sprintf("c%03d", $1)] = 1; next }
             FILENAME ~ /want.sum$/ { want[$3] = $1 " " $2; next }
             ($3 in ok) && want[$3] != $1 " " $2 { printf "%s ", $3 }' \
    "$lab_state/qio-$map.log" "$dir/want.sum" "$dir/got.sum")
  echo "$map: $written chunks written, $failed failed${bad:+, differing: $bad}"
  [ -z "$bad" ] || fail "$map: chunks written successfully read back different: $bad"
}

qio_paths() {
  local d
  for d in $(scenario_disks); do echo "$1" >"/sys/block/$d/device/state" || fail "cannot set $d $1"; done
}

# After a failure, lets nothing stay blocked on queued I/O (scenario_end then removes the maps): every
# disk running, every map failing I/O with no path.
qio_release() {
  local d m
  for d in $(scenario_disks); do echo running >"/sys/block/$d/device/state"; done 2>/dev/null
  for m in $(scenario_maps); do dmsetup message "$m" 0 fail_if_no_path; done 2>/dev/null
  qio_writers_stop
}

qio_queueing() { dmsetup table "$1" 2>/dev/null | grep -q queue_if_no_path; }
qio_active_paths() { [ "$(dmsetup status "$1" 2>/dev/null | grep -oE '[0-9]+:[0-9]+ A' | wc -l)" = "$2" ]; }

qio_all_in_state() {
  awk -v m="$1" -v want="$2" -v since="$(scenario_mono "$3")" '
    /^#/ || $2 != m || $3 == "-" { next }
    { st[$3] = $4; t = $1 / 1e9; if (t < since) next
      n = 0; c = 0; for (p in st) if (st[p] != "gone") { n++; if (st[p] == want) c++ }
      if (n > 0 && c == n) { printf "%.6f\n", t; exit } }' < <(watch_lines)
}
qio_has_all_in_state() { [ -n "$(qio_all_in_state "$@")" ]; }
