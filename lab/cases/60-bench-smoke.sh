# The side-by-side benchmark (lab/bench.sh) at toy sizes, so that CI proves its script and report work:
# 0.9.4 and ours, 4 flaps at polling_interval 1, 16 LUNs x 4 paths (start to all maps, 3 s idle, `show
# paths` while 4 paths flap), 3 s with no maps. Every figure must be there for both daemons; the
# figures themselves mean nothing at these sizes.
# lab-timeout: 240
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/bench.sh"
BENCH_FLAPS=4 BENCH_FLAP_SETTINGS=pi1 BENCH_HOLD_MS=200 BENCH_LUNS=16 BENCH_HOSTS=4 BENCH_IDLE_S=3 \
  BENCH_FLAP_PATHS=4 BENCH_WAKE_S=3 BENCH_HUGE_LUNS=0 bench_all
bash "$LAB_REPO/lab/bench-report.sh" "$BENCH_DIR" || fail "lab/bench-report.sh failed"
for d in debian ours; do
  for m in start_to_maps_ms idle_cpu_ms vmrss_kb nomaps_wakeups_per_s; do
    grep -q "^$d,$m," "$BENCH_DIR/metrics.csv" || fail "no $m for $d: $(tail -n 3 "$BENCH_DIR/notes.txt")"
  done
  for k in reinstate fail; do
    grep -q "^$d-pi1,[0-9]*,$k,.*,[0-9][0-9]*$" "$BENCH_DIR/flap.csv" || fail "no $k sample for $d"
  done
  grep -q "^$d," "$BENCH_DIR/show-paths.csv" || fail "no show paths round trip for $d"
done
