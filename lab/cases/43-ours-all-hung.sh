# Ours, as 33 (lab config: checker_timeout 5, polling_interval 5), 2 scsi_debug paths: with every
# scsi_debug command dropped, both paths end failed in DM one checker timeout after their next check
# (at most 5 + 5 s, plus the loop's slack), and the daemon stays responsive meanwhile: the control
# socket answers about as fast as when all is well. Then commands flow again and both paths come back.
# lab-timeout: 200
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin ours 2
scenario_start
scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "no map with 2 active paths within 60 s"
sdebug=/sys/bus/pseudo/drivers/scsi_debug
log=$LAB_OUT/ours-$LAB_CASE.log
# p50_ms: the median of 50 `show daemon` round trips on the control socket, timed inside labtool
# (no process spawn or log polling in the measurement).
p50_ms() { "$labtool" control-load 0 50 show daemon | awk '{ print $2 }'; }
well=$(p50_ms) || fail "show daemon failed while all is well"
scenario_timing "ours: show daemon p50, all well: $well ms"
for d in $(scenario_disks); do echo 5 >/sys/block/"$d"/device/timeout; done
t=$EPOCHREALTIME
echo 1 >$sdebug/every_nth && echo 4 >$sdebug/opts || fail "cannot make scsi_debug drop commands"
sleep 2
# The loop is not held up by the hung commands: the control socket answers as fast as before (within
# 3x, or 50 ms on a noisy emulator).
hung=$(p50_ms) || fail "show daemon failed while TURs hang"
scenario_timing "ours: show daemon p50 while TURs hang: $hung ms"
awk -v h="$hung" -v w="$well" 'BEGIN { exit !(h <= 3 * w || h <= 50) }' || fail "show daemon p50 $hung ms while TURs hang (all well: $well ms)"
r=$(scenario_wait F 2 "$t" 30) || fail "paths not failed within 30 s of all commands hanging"
read -r wmap wms <<<"$r"
scenario_timing "ours: all TURs hung -> both paths failed in $wmap: $wms ms"
ms=${wms%.*}
[ "$ms" -le 11000 ] || fail "failed after $ms ms: more than polling_interval + checker_timeout (10 s) + 1 s"
echo 0 >$sdebug/opts; echo 0 >$sdebug/every_nth
t=$EPOCHREALTIME
r=$(scenario_wait A 2 "$t" 90) || fail "paths not active again within 90 s of commands flowing"
read -r wmap wms <<<"$r"
scenario_timing "ours: commands flowing again -> both paths active: $wms ms"
