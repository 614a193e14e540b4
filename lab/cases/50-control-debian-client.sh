# Debian's own 0.9.4 client drives our daemon unchanged: replies byte for byte as Debian's daemon
# printed them (fixtures captured by lab/golden/capture-debian.sh), exit status 1 exactly on fail,
# permission denied for others than root, the interactive shell, reconfigure and show config.
. "$LAB_REPO/lab/guest/control.sh"
debian_daemon_stop
# The empty-model replies below need no maps: the scsi_debug disks the 0x-2x cases load stay for the
# boot, so this daemon runs with every device blacklisted. (LIO LUNs are torn down by their cases.)
daemon_kill
dmsetup remove_all
printf 'blacklist {\n\tdevnode ".*"\n}\n' >/etc/multipath.conf
daemon_start
out=$(deb show daemon) || fail "show daemon: status $?"
[ "$out" = "pid $(daemon_pid) idle" ] || fail "show daemon: '$out'"
d=$(diff <(deb show wildcards) "$fixtures/wildcards.txt") || fail "show wildcards differs: $d"
# The help text, but for the version line (the third: the request echoed ends in a newline) and our
# own command, listed last.
[ "$(deb help | tail -n 1)" = " list|show stats json" ] || fail "help does not end with show stats json"
d=$(diff <(deb help | sed '3d;$d') <(sed 3d "$fixtures/help.txt")) || fail "help differs: $d"
d=$(diff <(deb show map | sed '3d;$d') <(sed 3d "$fixtures/show-map.txt")) || fail "show map (missing argument) differs: $d"
d=$(diff <(deb show maps json) "$fixtures/json-empty.txt") || fail "show maps json differs: $d"
# scsi_debug disks left by earlier cases may be there, blacklisted: compare with our own client.
out=$(deb show status)
[ "$out" = "$("$LAB_BIN" show status)" ] && [ "$(echo "$out" | head -n1)" = "path checker states:" ] &&
  echo "$out" | grep -qx 'paths: [0-9]*' && [ "$(echo "$out" | tail -n1)" = "busy: False" ] || fail "show status: '$out'"
out=$(deb -k"show daemon") && [ "$out" = "pid $(daemon_pid) idle" ] || fail "-k\"show daemon\": '$out'"
out=$(deb foo paths); rc=$?
[ "$out" = fail ] && [ $rc = 1 ] || fail "foo paths: '$out' status $rc (want fail, 1)"
out=$(deb fail path sdzz); rc=$?
[ "$out" = fail ] && [ $rc = 1 ] || fail "fail path: '$out' status $rc (want fail, 1)"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $debian_client fail path sdb 2>/dev/null)
[ "$out" = "permission deny: need to be root" ] || fail "non-root fail path: '$out'"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $debian_client show daemon 2>/dev/null)
[ "$out" = "pid $(daemon_pid) idle" ] || fail "non-root show daemon: '$out'"
out=$(printf 'show daemon\nshow status\nquit\n' | $debian_client -k 2>/dev/null)
echo "$out" | grep -q "^pid $(daemon_pid) idle" && echo "$out" | grep -q '^busy: False' || fail "interactive: '$out'"
# reconfigure reads the files again; show config prints what runs.
printf 'defaults {\n\tpolling_interval 7\n}\n' >/etc/multipath.conf
out=$(deb reconfigure) && [ "$out" = ok ] || fail "reconfigure: '$out'"
deb show config | grep -q '^	polling_interval 7$' || fail "show config after reconfigure: $(deb show config | head -n 5 | tr '\n' ' ')"
rm -f /etc/multipath.conf
out=$(deb reconfigure) && [ "$out" = ok ] || fail "reconfigure without a file: '$out'"
# Our own client, both ways, and over the path socket.
out=$("$LAB_BIN" show daemon) && [ "$out" = "pid $(daemon_pid) idle" ] || fail "our client: '$out'"
out=$(MULTIPATH_SOCKET_NAME=/run/multipathd.socket "$LAB_BIN" -k"show daemon") && [ "$out" = "pid $(daemon_pid) idle" ] ||
  fail "our client over /run/multipathd.socket: '$out'"
daemon_running || fail "daemon died"
echo ok
