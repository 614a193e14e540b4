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
# "label kind median p99" per daemon and kind, nearest rank.
summary=$(awk -F, 'FNR > 1 && $5 != "" { v[$1 "," $3] = v[$1 "," $3] " " $5 }
  END { for (k in v) { n = split(v[k], a, " "); asort_n(a, n); split(k, lk, ",")
        m = int(0.5 * n); if (m < 0.5 * n) m++; p = int(0.99 * n); if (p < 0.99 * n) p++
        print lk[1], lk[2], a[m], a[p] } }
  function asort_n(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i] + 0; for (j = i - 1; j > 0 && a[j] + 0 > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }' \
  "$BENCH_DIR/fabric.csv")
echo "$summary"
read -r ours_median ours_p99 < <(awk '$1 == "ours-fabric" && $2 == "reinstate" { print $3, $4 }' <<<"$summary")
read -r debian_median debian_p99 < <(awk '$1 == "debian-fabric" && $2 == "reinstate" { print $3, $4 }' <<<"$summary")
[ -n "$ours_p99" ] && [ -n "$debian_p99" ] || fail "no reinstate samples: $summary"
awk -v o="$ours_median" -v d="$debian_median" -v op="$ours_p99" -v dp="$debian_p99" 'BEGIN { exit !(o < d && op < dp) }' ||
  fail "ours is not ahead on reinstatement: median $ours_median ms against $debian_median, p99 $ours_p99 against $debian_p99"
