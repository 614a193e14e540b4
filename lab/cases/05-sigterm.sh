# SIGTERM stops the daemon within 1 s with exit status 0, and it removes its pid file.
daemon_ensure
log_mark
read -r up0 _ </proc/uptime
t0=$EPOCHREALTIME
kill -TERM "$(daemon_pid)"
wait_file "$(daemon_exit_file)" 5 || fail "still running 5 s after SIGTERM"
read -r status t1 <"$(daemon_exit_file)"
ms=$(ms_between "$t0" "$t1")
# The daemon's own timestamps (uptime clock) split the time into signal delivery and shutdown.
handled=$(log_since_mark | awk -F' [|] ' '/SIGTERM: shutting down/ { print $1 }')
stopped=$(log_since_mark | awk -F' [|] ' '/multipathd stopped/ { print $1 }')
echo "exited ${ms} ms after SIGTERM (uptime $up0 kill, $handled handled, $stopped last log line)" | tee -a "$LAB_OUT/timings.txt"
[ "$status" = 0 ] || fail "exit status $status after SIGTERM"
[ "$ms" -le 1000 ] || fail "exited ${ms} ms after SIGTERM (limit 1000 ms)"
[ ! -e /run/multipathd.pid ] || fail "/run/multipathd.pid left behind"
