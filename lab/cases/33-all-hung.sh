# Debian's multipathd 0.9.4, then ours (lab config: checker_timeout 5, polling_interval 5), 2 scsi_debug
# paths: with every scsi_debug command dropped, both paths end failed in DM; the time from the drop to
# the second failure. Then commands flow again and both paths come back.
# 0.9.4: its hung TURs block its checker loop; how long a CLI command takes then is recorded.
# Ours: the paths fail one checker timeout after their next check (at most 5 + 5 s, plus the loop's
# slack), and the daemon stays responsive meanwhile: the control socket answers about as fast as when
# all is well.
# lab-timeout: 400
. "$LAB_REPO/lab/guest/scenario.sh"
sdebug=/sys/bus/pseudo/drivers/scsi_debug
# p50_ms: the median of 50 `show daemon` round trips on the control socket, timed inside labtool
# (no process spawn or log polling in the measurement).
p50_ms() { "$labtool" control-load 0 50 show daemon | awk '{ print $2 }'; }
steps() {
  local daemon=$1 d t r wmap wms well hung ms c0 limit=90
  scenario_begin "$daemon" 2
  scenario_start
  scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with 2 active paths within 60 s"
  if [ "$daemon" = ours ]; then
    limit=30
    well=$(p50_ms) || fail "ours: show daemon failed while all is well"
    scenario_timing "ours: show daemon p50, all well: $well ms"
  fi
  # The commands dropped meanwhile (udev's reads of the map) end at the disks' SCSI timeout, 30 s by
  # default; 5 s lets the cleanup remove the map sooner. The checkers' TURs use checker_timeout.
  for d in $(scenario_disks); do echo 5 >/sys/block/"$d"/device/timeout; done
  t=$EPOCHREALTIME
  echo 1 >$sdebug/every_nth && echo 4 >$sdebug/opts || fail "$daemon: cannot make scsi_debug drop commands"
  if [ "$daemon" = ours ]; then
    sleep 2  # the TURs hang by now: the measurement below runs while they do
    # The loop is not held up by the hung commands: the control socket answers as fast as before (within
    # 3x, or 50 ms on a noisy emulator).
    hung=$(p50_ms) || fail "ours: show daemon failed while TURs hang"
    scenario_timing "ours: show daemon p50 while TURs hang: $hung ms"
    awk -v h="$hung" -v w="$well" 'BEGIN { exit !(h <= 3 * w || h <= 50) }' || fail "ours: show daemon p50 $hung ms while TURs hang (all well: $well ms)"
  fi
  r=$(scenario_wait F 2 "$t" $limit) || fail "$daemon: paths not failed within $limit s of all commands hanging"
  read -r wmap wms <<<"$r"
  scenario_timing "$daemon: all TURs hung -> both paths failed in $wmap: $wms ms"
  if [ "$daemon" = ours ]; then
    ms=${wms%.*}
    [ "$ms" -le 11000 ] || fail "ours: failed after $ms ms: more than polling_interval + checker_timeout (10 s) + 1 s"
  else
    c0=$EPOCHREALTIME
    scenario_cli show daemon >/dev/null 2>&1
    scenario_timing "debian: 'multipathd show daemon' while TURs still hang: $(ms_between "$c0" "$EPOCHREALTIME") ms"
  fi
  echo 0 >$sdebug/opts; echo 0 >$sdebug/every_nth
  t=$EPOCHREALTIME
  r=$(scenario_wait A 2 "$t" 90) || fail "$daemon: paths not active again within 90 s of commands flowing"
  read -r wmap wms <<<"$r"
  scenario_timing "$daemon: commands flowing again -> both paths active: $wms ms"
}
scenario_both steps
