# Ours, as 33 (lab config: checker_timeout 5, polling_interval 5), 2 scsi_debug paths: with every
# scsi_debug command dropped, both paths end failed in DM one checker timeout after their next check
# (at most 5 + 5 s, plus the loop's slack), and the daemon stays responsive meanwhile: a SIGUSR1 is
# answered (logged) about as fast as when all is well (the measure includes the shell's polling of the
# log, tens of ms under TCG; limit 500 ms). Then commands flow again and both paths come back.
# lab-timeout: 200
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin ours 2
scenario_start
scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "no map with 2 active paths within 60 s"
sdebug=/sys/bus/pseudo/drivers/scsi_debug
log=$LAB_OUT/ours-$LAB_CASE.log
# usr1_ms: sends SIGUSR1 and prints the milliseconds until the daemon logged it.
usr1_ms() {
  local before c0
  before=$(grep -c 'SIGUSR1: log reopened' "$log")
  c0=$EPOCHREALTIME
  kill -USR1 "$(cat "$lab_state/scenario.daemon")"
  for _ in $(seq 300); do [ "$(grep -c 'SIGUSR1: log reopened' "$log")" -gt "$before" ] && break; sleep 0.01; done
  ms_between "$c0" "$EPOCHREALTIME"
}
scenario_timing "ours: SIGUSR1 answered, all well: $(usr1_ms) ms"
for d in $(scenario_disks); do echo 5 >/sys/block/$d/device/timeout; done
t=$EPOCHREALTIME
echo 1 >$sdebug/every_nth && echo 4 >$sdebug/opts || fail "cannot make scsi_debug drop commands"
sleep 2
# The loop is not held up by the hung commands: a signal is handled at once.
answered=$(usr1_ms)
scenario_timing "ours: SIGUSR1 answered while TURs hang: $answered ms"
[ "$answered" -le 500 ] || fail "SIGUSR1 took $answered ms while TURs hang"
r=$(scenario_wait F 2 "$t" 30) || fail "paths not failed within 30 s of all commands hanging"
set -- $r
scenario_timing "ours: all TURs hung -> both paths failed in $1: $2 ms"
ms=${2%.*}
[ "$ms" -le 11000 ] || fail "failed after $ms ms: more than polling_interval + checker_timeout (10 s) + 1 s"
echo 0 >$sdebug/opts; echo 0 >$sdebug/every_nth
t=$EPOCHREALTIME
r=$(scenario_wait A 2 "$t" 90) || fail "paths not active again within 90 s of commands flowing"
set -- $r
scenario_timing "ours: commands flowing again -> both paths active: $2 ms"
