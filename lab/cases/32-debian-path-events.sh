# Baseline, Debian's multipathd 0.9.4 (lab config, default polling), 2 scsi_debug paths: the best path's
# device offline -> failed in DM, running -> reinstated; its device deleted -> gone from the map, its
# target rescanned -> back and active; a third path from add_host -> added and active. One of each:
# the figures depend on where the write falls in the checker interval (34/35 give distributions).
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin debian 2
scenario_start
scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "no map with 2 active paths within 60 s"
map=$(scenario_map)
disk=$(scenario_table_disks "$map")
scenario_flap debian-offline "$disk" --count 1 --hold-ms 1 --timeout-ms 30000
scenario_flap debian-delete "$disk" --mode delete --count 1 --hold-ms 1 --timeout-ms 30000
t=$EPOCHREALTIME
echo 1 >/sys/bus/pseudo/drivers/scsi_debug/add_host || fail "cannot add a scsi_debug host"
r=$(scenario_wait A 3 "$t" 30) || fail "the added path did not show active in $map within 30 s"
read -r wmap wms <<<"$r"
scenario_timing "debian: add_host -> third path active in $wmap: $wms ms"
