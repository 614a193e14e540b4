# Ours, the control socket under abuse, with few descriptors (ulimit -n 128, max_fds 128): 10,000
# connections at once. The daemon accepts what its descriptors allow, the kernel refuses the rest (a
# full backlog), and while accept fails with EMFILE the daemon backs off instead of spinning: a handful
# of retry lines and little CPU while the flood holds its connections. Once they leave it answers the
# next client, with as many descriptors open as before. A request begun and never finished is
# answered `timeout` and closed after uxsock_timeout (1 s here).
. "$LAB_REPO/lab/guest/control.sh"
debian_daemon_stop
daemon_kill
# A daemon with 128 descriptors and this configuration must not outlive the case, passed or failed.
trap 'daemon_kill; rm -f /etc/multipath.conf' EXIT
printf 'defaults {\n\tmax_fds 128\n\tuxsock_timeout 1000\n}\nblacklist {\n\tdevnode ".*"\n}\n' >/etc/multipath.conf
(ulimit -n 128 && daemon_start -v2) || exit 1
pid=$(daemon_pid)
fds() { find /proc/"$pid"/fd -mindepth 1 -maxdepth 1 | wc -l; }
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$pid"/stat; }
answers() { [ "$("$LAB_BIN" show daemon 2>&1)" = "pid $pid idle" ]; }
fds_back() { [ "$(fds)" -eq "$before" ]; }
[ "$(awk '/^Max open files/ { print $4 }' /proc/"$pid"/limits)" = 128 ] || fail "limits: $(grep 'open files' /proc/"$pid"/limits)"
before=$(fds)
log_mark
c0=$(cpu_ticks)
t0=$EPOCHREALTIME
flood=$("$labtool" control-flood 10000 3000) || fail "labtool control-flood: $flood"
ms=$(ms_between "$t0" "$EPOCHREALTIME")
ticks=$(( $(cpu_ticks) - c0 ))
read -r _ connected _ _ _ refused <<<"$flood"
wait_until 20 answers || fail "no answer after the flood: $("$LAB_BIN" show daemon 2>&1)"
wait_until 20 fds_back || fail "descriptors: $before before the flood, $(fds) after"
retries=$(log_since_mark | grep -c 'Too many open files; paused, retrying in')
stall=$("$labtool" control-stall) || fail "labtool control-stall: $stall"
read -r stall_ms stall_reply <<<"$stall"
echo "control abuse: 10,000 connections at max_fds 128: $connected connected, $refused refused by the backlog; daemon CPU $((ticks * 10)) ms of the flood's $ms ms, $retries EMFILE retries logged; descriptors $before before and after; a stalled request answered '$stall_reply' and closed after $stall_ms ms (uxsock_timeout 1000)" | tee -a "$LAB_OUT/timings.txt"
[ "$retries" -ge 1 ] || fail "accept never failed with EMFILE (connected $connected)"
# Backing off (at most 1 s) gives about one retry a second; a busy loop thousands, and all the CPU.
[ "$retries" -le $(( ms / 500 + 10 )) ] || fail "$retries EMFILE retries logged in $ms ms: not backing off"
[ "$((ticks * 10))" -le $(( ms / 3 )) ] || fail "the daemon used $((ticks * 10)) ms of CPU in the flood's $ms ms"
[ "$stall_reply" = timeout ] || fail "a stalled request was answered '$stall_reply'"
[ "$stall_ms" -ge 900 ] && [ "$stall_ms" -le 10000 ] || fail "a stalled request was closed after $stall_ms ms (uxsock_timeout 1000)"
echo ok
