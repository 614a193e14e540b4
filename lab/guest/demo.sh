#!/bin/bash
# The demo's guest side (see lab/demo.sh): narrates into OUT/demo.log, the daemon's lines among them.
#   demo.sh OUT BINARY
out=$1 bin=$2
log=$out/demo.log
say() { echo "--- $*" >>"$log"; }
modprobe dm_mod
say "starting multipathd -d -v3"
"$bin" -d -v3 >>"$log" 2>&1 </dev/null &
daemon=$!
until grep -q 'multipathd ready' "$log" || ! kill -0 $daemon 2>/dev/null; do sleep 0.1; done
say "modprobe scsi_debug add_host=2 ...: two paths to one LUN"
modprobe scsi_debug add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=16 ptype=0
udevadm settle
sleep 1
say "dmsetup create demo (a zero target)"
dmsetup create demo --table '0 2048 zero'
udevadm settle
sleep 1
say "dmsetup remove demo"
dmsetup remove demo
udevadm settle
sleep 1
say "kill -TERM (multipathd)"
kill -TERM $daemon
wait $daemon
say "multipathd exited with status $?"
