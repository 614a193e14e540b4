# Debian's multipathd 0.9.4, then ours, at default settings (lab config, polling_interval 5; ours with
# failed_path_reprobe_ms 100): paths flap (device offline, then running, each state held until the
# daemon reacted plus a random 0-5 s, so that the writes fall anywhere in its checker interval).
# Reinstate latency (running -> A in DM) and failure detection (offline -> F in DM): min/median/p99/max
# to timings.txt, samples to flap.csv.
# 0.9.4: 6 paths, the first four in table order flap 5 times each, in parallel (two stay up): about 5
# cycles of 12 s.
# Ours: the best of 2 paths flaps 20 times; reinstate latency (from DM events) must be under 250 ms at
# p99; failure detection is bounded by the polling interval.
# Plus 20 to 50 s of setup and cleanup per daemon (udev works through the events).
# lab-timeout: 900
. "$LAB_REPO/lab/guest/scenario.sh"
steps() {
  local daemon=$1 npaths=6 nflap=4 count=5 out p99
  [ "$daemon" = ours ] && npaths=2 nflap=1 count=20
  scenario_begin "$daemon" $npaths
  scenario_start
  scenario_wait A $npaths "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with $npaths active paths within 60 s"
  mapfile -t disks < <(scenario_table_disks "$(scenario_map)" $nflap)
  out=$(scenario_flap "$daemon-default" "${disks[@]}" --count $count --hold-ms 5000 --timeout-ms 30000) || exit 1
  echo "$out"
  [ "$daemon" = ours ] || return 0
  p99=$(echo "$out" | grep ' reinstate ' | sed -n 's/.* p99=\([0-9]*\)\..*/\1/p')
  [ -n "$p99" ] || fail "ours: no reinstate figures: $out"
  [ "$p99" -lt 250 ] || fail "ours: reinstate p99 $p99 ms (limit 250 ms)"
}
scenario_both steps
