# Socket activation: systemd-socket-activate binds both addresses and starts our daemon on the first
# connection; the daemon adopts the two sockets and answers that first client's command.
. "$LAB_REPO/lab/guest/control.sh"
debian_daemon_stop
daemon_kill
command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is missing (apt systemd)"
# The first client waits while the daemon starts (mlockall of a debug build alone can take seconds on a
# loaded TCG host): Debian's client reads uxsock_timeout from the configuration (its default is 4 s). No
# devices: the daemon has only the sockets to adopt.
printf 'defaults {\n\tuxsock_timeout 60000\n}\nblacklist {\n\tdevnode ".*"\n}\n' >/etc/multipath.conf
log_mark
# shellcheck disable=SC2154  # daemon_log: set by lab/guest/lib.sh, which the runner sources first
systemd-socket-activate -l @/org/kernel/linux/storage/multipathd -l /run/multipathd.socket \
  "$LAB_BIN" -d -v3 >>"$daemon_log" 2>&1 </dev/null &
activator=$!
# The daemon is not daemon_start's: whatever ends the case stops it, or it would hold the sockets for
# every later case.
trap 'kill -TERM "$activator" 2>/dev/null; rm -f /etc/multipath.conf' EXIT
sleep 0.5
log_since_mark | grep -q 'multipathd ready' && fail "the daemon started before any client connected"
out=$(deb show daemon) || fail "first client: status $?"
# systemd-socket-activate execs the daemon in its own process.
[ "$out" = "pid $activator idle" ] || fail "first client got '$out' (activator pid $activator)"
log_since_mark | grep -q 'control: 2 socket(s) from systemd' || fail "no adoption in the log: $(log_since_mark | tail -n 3 | tr '\n' ' ')"
out=$(MULTIPATH_SOCKET_NAME=/run/multipathd.socket "$LAB_BIN" show daemon) && [ "$out" = "pid $activator idle" ] ||
  fail "over the path socket: '$out'"
kill -TERM $activator
wait $activator || fail "exit status $? after SIGTERM"
echo ok
