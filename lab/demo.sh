#!/usr/bin/env bash
# Shows the daemon's job in the lab VM: boots Debian's kernel under QEMU, adds two SCSI paths to one LUN
# (scsi_debug), starts multipathd, which builds the multipath map; takes the best path offline and back
# (failed, reinstated, with the times) and stops it; prints it all live. Installs and builds first (root).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash lab/install.sh
swift build
. lab/vm.sh
lab_check
out=$(lab_outdir "$repo" demo)
: >"$out/demo.log"
echo "demo: booting $(basename "$(lab_kernel)") under QEMU (about 15 s; output in $out)"
lab_boot "$out" "bash $repo/lab/guest/demo.sh $out $repo/.build/debug/multipathd" &
vm=$!
tail -n +1 -f --pid=$vm "$out/demo.log" &
status=0
wait $vm || status=$?
wait $! 2>/dev/null || true
[ $status = 0 ] || { echo "demo: the VM failed (status $status); console: $out/console.log" >&2; exit 1; }
