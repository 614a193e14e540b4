# Baseline, Debian's multipathd 0.9.4 (lab config with polling_interval 1): as 34's 0.9.4 side, with
# holds of a random 0-1 s. About 5 cycles of 3 s.
# lab-timeout: 200
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin debian 6 polling_interval 1
scenario_start
scenario_wait A 6 "$scenario_t0" 60 >/dev/null || fail "no map with 6 active paths within 60 s"
mapfile -t disks < <(scenario_table_disks "$(scenario_map)" 4)
scenario_flap debian-pi1 "${disks[@]}" --count 5 --hold-ms 1000 --timeout-ms 15000
