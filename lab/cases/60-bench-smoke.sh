# The side-by-side benchmark (lab/bench.sh) at toy sizes, so that CI proves its script and report work:
# 0.9.4 and ours on 4 LUNs x 2 paths (start to all maps, 3 s idle, `show paths` while 2 paths flap
# once), then 3 s with no maps; the flap phase at its own settings is left to lab/bench.sh, the fabric
# failure to case 62. Every figure must be there for both daemons; they mean nothing at these sizes.
# lab-timeout: 600
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/bench.sh"
BENCH_FLAP_SETTINGS='' BENCH_LUNS=4 BENCH_HOSTS=2 BENCH_IDLE_S=3 BENCH_FLAP_PATHS=2 BENCH_SCALE_FLAPS=1 \
  BENCH_WAKE_S=3 BENCH_HUGE_LUNS=0 BENCH_FABRIC_CYCLES=0 bench_all
bash "$LAB_REPO/lab/bench-report.sh" "$BENCH_DIR" || fail "lab/bench-report.sh failed"
for d in debian ours; do
  for m in start_to_maps_ms idle_cpu_ms vmrss_kb nomaps_wakeups_per_s; do
    grep -q "^$d,$m," "$BENCH_DIR/metrics.csv" || fail "no $m for $d: $(tail -n 3 "$BENCH_DIR/notes.txt")"
  done
  for k in reinstate fail; do
    grep -q "^$d-scale,[0-9]*,$k,.*,[0-9][0-9]*$" "$BENCH_DIR/flap.csv" || fail "no $k sample for $d"
  done
  grep -q "^$d," "$BENCH_DIR/show-paths.csv" || fail "no show paths round trip for $d"
done
