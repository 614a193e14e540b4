# Baseline, Debian's multipathd 0.9.4 (lab config with polling_interval 1): as 34, with holds of a random
# 0-1 s. Costs about 20 x 3 s.
# lab-timeout: 200
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin debian 2 polling_interval 1
scenario_start
scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "no map with 2 active paths within 60 s"
scenario_flap "$(scenario_best_disk "$(scenario_map)")" debian-pi1 --count 20 --hold-ms 1000 --timeout-ms 15000
