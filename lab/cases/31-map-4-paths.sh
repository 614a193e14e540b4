# Debian's multipathd 0.9.4, then ours (lab config, default polling): from the daemon's start to one map
# over 4 scsi_debug paths with all 4 paths active, grouped by ALUA state (group_by_prio, prio alua).
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
steps() {
  local daemon=$1 r wmap wms
  scenario_begin "$daemon" 4
  scenario_start
  r=$(scenario_wait A 4 "$scenario_t0" 60) || fail "$daemon: no map with 4 active paths within 60 s"
  read -r wmap wms <<<"$r"
  scenario_timing "$daemon: start to map $wmap with 4 active paths: $wms ms"
  scenario_check_groups "$(scenario_map)"
}
scenario_both steps
