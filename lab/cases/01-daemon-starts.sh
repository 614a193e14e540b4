# multipathd -d -v3 starts, finds device-mapper, holds the pid file and says it is ready.
daemon_start
daemon_running || fail "daemon exited: $(log_since_mark | tail -n 2 | tr '\n' ' ')"
log_since_mark | grep -qE 'device-mapper interface 4\.[0-9]+' || fail "no device-mapper interface version logged"
[ "$(cat /run/multipathd.pid 2>/dev/null)" = "$(daemon_pid)" ] || fail "/run/multipathd.pid does not hold the daemon's pid"
