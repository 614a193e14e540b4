# Two scsi_debug hosts give two paths to one LUN: the daemon logs both add uevents with the LUN's WWID.
daemon_ensure
log_mark
must modprobe scsi_debug add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=16 ptype=0
wait_log 'uevent add sd[a-z]+ [0-9]+:[0-9]+ wwid 1Linux_scsi_debug_2000$' 30 2 ||
  fail "expected 2 add uevents with wwid 1Linux_scsi_debug_2000, got: $(log_since_mark | grep uevent | tr '\n' ' ')"
