# Issue 16's fabric failure at CI size: 8 LUNs behind 4 scsi_debug hosts (32 paths, lab defaults:
# polling_interval 5, group_by_prio, prio alua); the 8 paths of one host go offline in one burst, stay
# so 15 s, and come back in one burst; 0.9.4, then ours, in this boot. Fails if a path is not failed or
# not back within 60 s, or if ours is not ahead of 0.9.4 on reinstatement (median and p99). The full
# sizes (1,024 and 4,096 paths, three cycles): lab/bench.sh.
# lab-timeout: 600
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/bench.sh"
BENCH_LUNS=8 BENCH_HOSTS=4 BENCH_FABRIC_CYCLES=1 BENCH_FLAP_SETTINGS='' BENCH_HUGE_LUNS=0
bench_begin
bench_load "$BENCH_LUNS" "$BENCH_HOSTS" || fail "scsi_debug: $(tail -n 1 "$BENCH_DIR/notes.txt")"
for daemon in debian ours; do bench_fabric $daemon; done
bench_clean
bench_end
bash "$LAB_REPO/lab/bench-report.sh" "$BENCH_DIR" >"$BENCH_DIR/report.txt" || fail "lab/bench-report.sh failed"
grep -E '^\| (metric|fabric|.show paths. round trip during)' "$BENCH_DIR/report.txt"
! grep -q 'not every' "$BENCH_DIR/notes.txt" || fail "$(grep 'not every' "$BENCH_DIR/notes.txt" | head -n 2 | tr '\n' ' ')"
# reinstate LABEL Q: the Q-quantile (nearest rank, as lab/bench-report.sh) of LABEL's reinstatements in ms.
reinstate() {
  awk -F, -v l="$1" '$1 == l && $3 == "reinstate" && $5 != "" { print $5 }' "$BENCH_DIR/fabric.csv" | sort -n |
    awk -v q="$2" '{ a[NR] = $1 } END { i = int(q * NR); if (i < q * NR) i++; if (i < 1) i = 1; print a[i] }'
}
ours_median=$(reinstate ours-fabric 0.5) ours_p99=$(reinstate ours-fabric 0.99)
debian_median=$(reinstate debian-fabric 0.5) debian_p99=$(reinstate debian-fabric 0.99)
[ -n "$ours_p99" ] && [ -n "$debian_p99" ] || fail "no reinstate samples: $(tail -n 3 "$BENCH_DIR/fabric.csv" | tr '\n' ' ')"
echo "reinstate median / p99: ours $ours_median / $ours_p99 ms, 0.9.4 $debian_median / $debian_p99 ms"
awk -v o="$ours_median" -v d="$debian_median" -v op="$ours_p99" -v dp="$debian_p99" 'BEGIN { exit !(o < d && op < dp) }' ||
  fail "ours is not ahead on reinstatement: median $ours_median ms against $debian_median, p99 $ours_p99 against $debian_p99"
