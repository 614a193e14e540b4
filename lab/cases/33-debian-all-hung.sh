# Baseline, Debian's multipathd 0.9.4 (lab config: checker_timeout 5, default polling), 2 scsi_debug
# paths: with every scsi_debug command dropped, both paths end failed in DM; the time from the drop to
# the second failure, and how long a CLI command then takes. Then commands flow again and both
# paths come back.
# lab-timeout: 200
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin debian 2
scenario_start
scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "no map with 2 active paths within 60 s"
sdebug=/sys/bus/pseudo/drivers/scsi_debug
# The commands dropped meanwhile (udev's reads of the map) end at the disks' SCSI timeout, 30 s by
# default; 5 s lets the cleanup remove the map sooner. The checkers' TURs use checker_timeout.
for d in $(scenario_disks); do echo 5 >/sys/block/"$d"/device/timeout; done
t=$EPOCHREALTIME
echo 1 >$sdebug/every_nth && echo 4 >$sdebug/opts || fail "cannot make scsi_debug drop commands"
r=$(scenario_wait F 2 "$t" 90) || fail "paths not failed within 90 s of all commands hanging"
read -r wmap wms <<<"$r"
scenario_timing "debian: all TURs hung -> both paths failed in $wmap: $wms ms"
c0=$EPOCHREALTIME
scenario_cli show daemon >/dev/null 2>&1
scenario_timing "debian: 'multipathd show daemon' while TURs still hang: $(ms_between "$c0" "$EPOCHREALTIME") ms"
echo 0 >$sdebug/opts; echo 0 >$sdebug/every_nth
t=$EPOCHREALTIME
r=$(scenario_wait A 2 "$t" 90) || fail "paths not active again within 90 s of commands flowing"
read -r wmap wms <<<"$r"
scenario_timing "debian: commands flowing again -> both paths active: $wms ms"
