# Debian's multipathd 0.9.4, then ours (lab config, default polling), 2 scsi_debug paths: the best path's
# device offline -> failed in DM, running -> reinstated; its device deleted -> gone from the map, its
# target rescanned -> back and active; a third path from add_host -> added and active. One of each:
# the figures depend on where the write falls in the checker interval (34/35 give distributions).
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
steps() {
  local daemon=$1 map disk t r wmap wms
  scenario_begin "$daemon" 2
  scenario_start
  scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with 2 active paths within 60 s"
  map=$(scenario_map)
  disk=$(scenario_table_disks "$map" 1)
  scenario_flap "$daemon-offline" "$disk" --count 1 --hold-ms 1 --timeout-ms 30000
  scenario_flap "$daemon-delete" "$disk" --mode delete --count 1 --hold-ms 1 --timeout-ms 30000
  t=$EPOCHREALTIME
  echo 1 >/sys/bus/pseudo/drivers/scsi_debug/add_host || fail "$daemon: cannot add a scsi_debug host"
  r=$(scenario_wait A 3 "$t" 30) || fail "$daemon: the added path did not show active in $map within 30 s"
  read -r wmap wms <<<"$r"
  scenario_timing "$daemon: add_host -> third path active in $wmap: $wms ms"
}
scenario_both steps
