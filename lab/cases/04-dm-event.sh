# Creating and removing a device-mapper map (a zero target) wakes the DM event source.
daemon_ensure
log_mark
must timeout 20 dmsetup create labzero --table '0 2048 zero'
wait_log 'dm event: labzero \([0-9]+:[0-9]+\) appeared' 10 || fail "no DM event for labzero's creation: $(log_since_mark | tail -n 3 | tr '\n' ' ')"
must timeout 20 dmsetup remove labzero
wait_log 'dm event: labzero \([0-9]+:[0-9]+\) removed' 10 || fail "no DM event for labzero's removal: $(log_since_mark | tail -n 3 | tr '\n' ' ')"
