# Ours (lab config, default polling), as 30: from the daemon's start to one map over 2 scsi_debug paths
# with both paths active, grouped by ALUA state (group_by_prio, prio alua).
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin ours 2
scenario_start
r=$(scenario_wait A 2 "$scenario_t0" 60) || fail "no map with 2 active paths within 60 s"
set -- $r
scenario_timing "ours: start to map $1 with 2 active paths: $2 ms"
scenario_check_groups "$(scenario_map)"
