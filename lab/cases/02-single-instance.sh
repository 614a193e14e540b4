# A second multipathd refuses to start while the first holds /run/multipathd.pid.
daemon_ensure
out=$("$LAB_BIN" -d 2>&1) && fail "second daemon started"
echo "$out" | grep -q "another multipathd is running (pid $(daemon_pid)," || fail "unclear refusal: $out"
daemon_running || fail "first daemon died"
