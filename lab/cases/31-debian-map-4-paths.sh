# Baseline, Debian's multipathd 0.9.4 (lab config, default polling): from its start to one map over 2
# scsi_debug paths with both paths active, grouped by ALUA state (group_by_prio, prio alua).
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin debian 4
scenario_start
r=$(scenario_wait A 4 "$scenario_t0" 60) || fail "no map with 4 active paths within 60 s"
read -r wmap wms <<<"$r"
scenario_timing "debian: start to map $wmap with 4 active paths: $wms ms"
scenario_check_groups "$(scenario_map)"
