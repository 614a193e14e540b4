# Baseline, Debian's multipathd 0.9.4 (lab config, default polling_interval 5), 4 scsi_debug paths: the
# first two paths in table order flap 10 times each, in parallel (device offline, then running, each
# state held until the daemon reacted plus a random 0-5 s, so that the writes fall anywhere in its
# checker interval). Reinstate latency (running -> A in DM) and failure detection (offline -> F in DM)
# over the 20 flaps: min/median/p99/max to timings.txt, samples to flap.csv. About 10 x 12 s.
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin debian 4
scenario_start
scenario_wait A 4 "$scenario_t0" 60 >/dev/null || fail "no map with 4 active paths within 60 s"
scenario_flap debian-default $(scenario_table_disks "$(scenario_map)" 2) --count 10 --hold-ms 5000 --timeout-ms 30000
