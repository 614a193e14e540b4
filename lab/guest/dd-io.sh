# Case 37, for Debian's multipathd 0.9.4 and for ours, 3 scsi_debug paths (ALUA optimized, non-optimized,
# standby), lab config: direct reads through the map (dd) keep succeeding while the best path goes
# offline (failed in DM; I/O moves to the non-optimized group) and comes back (reinstated). With 2 paths
# one may be the standby one, which scsi_debug answers TUR on but fails I/O to: both daemons then flap
# it. dd_io_steps DAEMON (debian or ours) runs the steps; the case runs them through scenario_both.
. "$LAB_REPO/lab/guest/scenario.sh"
dd_io_steps() {
  local dd_io_daemon=$1 map disk status reader t r runs bad
  scenario_begin "$dd_io_daemon" 3
  scenario_start
  scenario_wait A 3 "$scenario_t0" 60 >/dev/null || fail "no map with 3 active paths within 60 s"
  map=$(scenario_map)
  disk=$(scenario_table_disks "$map" 1)
  # The map is in DM before udev has made its /dev/mapper node.
  udevadm settle --timeout=20
  wait_file /dev/mapper/"$map" 20 || fail "no /dev/mapper/$map"
  status=$lab_state/dd.status
  : >"$status"; : >"$lab_state/dd.err"
  (
    end=$(( ${EPOCHREALTIME/./} + 14000000 ))
    while [ ${EPOCHREALTIME/./} -lt $end ]; do
      dd if=/dev/mapper/"$map" of=/dev/null bs=64k iflag=direct 2>>"$lab_state/dd.err"
      echo $? >>"$status"
    done
  ) &
  reader=$!
  sleep 2
  t=$EPOCHREALTIME
  echo offline >/sys/block/"$disk"/device/state || fail "cannot set $disk offline"
  r=$(scenario_wait F 1 "$t" 15) || fail "$disk not failed in $map within 15 s"
  scenario_timing "$dd_io_daemon: $disk offline under I/O -> failed in $(echo "$r" | cut -d' ' -f2) ms"
  sleep 3
  t=$EPOCHREALTIME
  echo running >/sys/block/"$disk"/device/state
  r=$(scenario_wait A 3 "$t" 15) || fail "$disk not reinstated within 15 s"
  scenario_timing "$dd_io_daemon: $disk running under I/O -> reinstated in $(echo "$r" | cut -d' ' -f2) ms"
  wait $reader
  runs=$(wc -l <"$status")
  bad=$(grep -vc '^0$' "$status")
  scenario_timing "$dd_io_daemon: dd through $map across the failure: $runs full reads, $bad failed"
  grep -v 'records\|copied' "$lab_state/dd.err" | sort | uniq -c | head -5
  dmesg | grep -E 'device-mapper|sd[a-z]|scsi' | tail -n 25
  [ "$runs" -ge 3 ] && [ "$bad" = 0 ] || fail "dd: $bad of $runs reads failed: $(grep -v 'records\|copied' "$lab_state/dd.err" | tail -n 2 | tr '\n' ' ')"
}
