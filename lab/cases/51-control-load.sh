# 100 clients connected at once, one of them stalled mid-request, do not slow a `show paths` beyond
# 50 ms (p99 of 500 round trips on another connection); the daemon answers normally afterwards.
# The daemon runs at the default verbosity: at -v3 every request is a log line written through 9p,
# whose stalls under TCG would be measured instead of the daemon.
. "$LAB_REPO/lab/guest/control.sh"
debian_daemon_stop
daemon_kill
daemon_start -v2
base=$("$labtool" control-load 0 500 show paths) || fail "labtool control-load 0: $base"
loaded=$("$labtool" control-load 100 500 show paths) || fail "labtool control-load 100: $loaded"
read -r _ _ p99 _ <<<"$loaded"
echo "control: show paths round trip min/p50/p99/max ms: idle $base; with 100 clients, one stalled: $loaded" | tee -a "$LAB_OUT/timings.txt"
awk -v p="$p99" 'BEGIN { exit !(p <= 50) }' || fail "p99 $p99 ms with 100 clients (limit 50 ms)"
out=$("$LAB_BIN" show daemon) && [ "$out" = "pid $(daemon_pid) idle" ] || fail "after the load: '$out'"
daemon_kill
echo ok
