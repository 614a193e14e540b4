# Baseline, Debian's multipathd 0.9.4 (lab config, default polling_interval 5): the best of 2 scsi_debug
# paths flaps 20 times (device offline, then running, each held until the daemon reacted plus a random
# 0-5 s so that the writes fall anywhere in its checker interval). Reinstate latency (running -> A in
# DM) and failure detection (offline -> F in DM): min/median/p99/max to timings.txt, samples to flap.csv.
# Costs about 20 x 10 s.
# lab-timeout: 420
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin debian 2
scenario_start
scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "no map with 2 active paths within 60 s"
scenario_flap "$(scenario_best_disk "$(scenario_map)")" debian-default --count 20 --hold-ms 5000 --timeout-ms 30000
