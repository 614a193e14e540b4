# Ours at default settings (lab config, polling_interval 5, failed_path_reprobe_ms 100), as 34: the
# best of 2 scsi_debug paths flaps 20 times (offline, then running, each held until the daemon reacted
# plus a random 0-5 s). Reinstate latency (running written -> A in DM, from DM events) must be under
# 250 ms at p99; failure detection is bounded by the polling interval.
# lab-timeout: 420
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin ours 2
scenario_start
scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "no map with 2 active paths within 60 s"
out=$(scenario_flap ours-default "$(scenario_table_disks "$(scenario_map)" 1)" --count 20 --hold-ms 5000 --timeout-ms 30000) || exit 1
echo "$out"
p99=$(echo "$out" | grep ' reinstate ' | sed -n 's/.* p99=\([0-9]*\)\..*/\1/p')
[ -n "$p99" ] || fail "no reinstate figures: $out"
[ "$p99" -lt 250 ] || fail "reinstate p99 $p99 ms (limit 250 ms)"
