# Debian's multipathd 0.9.4, then ours (lab config, default polling): from the daemon's start to one map
# over 2 scsi_debug paths with both paths active, grouped by ALUA state (group_by_prio, prio alua).
# Ours also says at -v3 where each setting came from, as 0.9.4 does.
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
steps() {
  local daemon=$1 r wmap wms log
  scenario_begin "$daemon" 2
  scenario_start
  r=$(scenario_wait A 2 "$scenario_t0" 60) || fail "$daemon: no map with 2 active paths within 60 s"
  read -r wmap wms <<<"$r"
  scenario_timing "$daemon: start to map $wmap with 2 active paths: $wms ms"
  scenario_check_groups "$(scenario_map)"
  [ "$daemon" = ours ] || return 0
  log=$LAB_OUT/ours-$LAB_CASE.log
  grep -qE ': path_checker = tur \(setting: ' "$log" || fail "ours: no path_checker origin in the -v3 log"
  grep -qE ': path_grouping_policy = "group_by_prio" \(setting: multipath.conf defaults/devices section\)' "$log" ||
    fail "ours: no path_grouping_policy origin in the -v3 log: $(grep -m3 'path_grouping_policy' "$log")"
}
scenario_both steps
