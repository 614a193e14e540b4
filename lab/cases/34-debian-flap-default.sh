# Baseline, Debian's multipathd 0.9.4 (lab config, default polling_interval 5), 6 scsi_debug paths: the
# first four paths in table order flap 5 times each, in parallel (device offline, then running, each
# state held until the daemon reacted plus a random 0-5 s, so that the writes fall anywhere in its
# checker interval; two paths stay up). Reinstate latency (running -> A in DM) and failure detection
# (offline -> F in DM) over the 20 flaps: min/median/p99/max to timings.txt, samples to flap.csv.
# About 5 cycles of 12 s, plus 20 to 50 s of setup and cleanup (udev works through the events).
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin debian 6
scenario_start
scenario_wait A 6 "$scenario_t0" 60 >/dev/null || fail "no map with 6 active paths within 60 s"
mapfile -t disks < <(scenario_table_disks "$(scenario_map)" 4)
scenario_flap debian-default "${disks[@]}" --count 5 --hold-ms 5000 --timeout-ms 30000
