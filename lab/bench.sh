#!/usr/bin/env bash
# The side-by-side benchmark (issue 7): one VM boot runs lab/guest/bench.sh (Debian's multipathd 0.9.4,
# then ours, same config, same scsi_debug paths), then lab/bench-report.sh makes the table. The raw
# samples, the notes and the table go to bench/results/<date>/ (commit them); the table is printed.
# Runs this checkout's release build: swift build -c release first. Takes about an hour under TCG on a
# busy 2-core host, most of it udev adding the thousand scsi_debug disks (about 2 s each).
#   lab/bench.sh [--quick | --huge]
#     --quick: toy sizes (16 LUNs, 4 flaps at polling_interval 1, 5 s idle) to try it out
#     --huge:  then 1,024 LUNs x 4 paths (4,096), start to all maps only (hours of udev under TCG)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/lab/vm.sh"

sizes=()
case ${1:-} in
  "") ;;
  --quick) sizes=(BENCH_FLAPS=4 BENCH_FLAP_SETTINGS=pi1 BENCH_HOLD_MS=200 BENCH_LUNS=16 BENCH_IDLE_S=5 BENCH_FLAP_PATHS=8 BENCH_WAKE_S=5 BENCH_HUGE_LUNS=0 BENCH_FABRIC_CYCLES=1 BENCH_FABRIC_HOLD_S=5) ;;
  --huge) sizes=(BENCH_HUGE_LUNS=1024) ;;
  -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
  *) echo "lab/bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
bin=$repo/.build/release/multipathd
for b in "$bin" "$repo/.build/release/labtool"; do
  [ -x "$b" ] || { echo "lab/bench.sh: $b is missing: swift build -c release" >&2; exit 2; }
done
lab_check

# The full sizes are lab/guest/bench.sh's defaults. A thousand scsi_debug disks and their udev database
# need more than the lab's usual 512 MB.
export LAB_MEMORY=${LAB_MEMORY:-3G} LAB_TIMEOUT=${LAB_TIMEOUT:-9000}

out=$(lab_outdir "$repo" bench)
results=$repo/bench/results/$(date -u +%Y-%m-%d-%H%M)
mkdir -p "$results"
{
  echo "command: lab/bench.sh $*"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- Sources lab || echo ' (with local changes)')"
  echo "host: $(nproc) cores, $(uname -r), QEMU TCG, guest $LAB_MEMORY; start $(date -u '+%F %T') UTC; uptime:$(uptime)"
} >"$results/env.txt"
echo "lab/bench.sh: booting $(basename "$(lab_kernel)") (VM output in $out, results in $results)"
start=$(lab_now)
status=0
lab_boot "$out" "env ${sizes[*]:-} bash $repo/lab/guest/bench.sh $repo $out $bin" || status=$?
echo "end $(date -u '+%F %T') UTC after $(lab_seconds "$start" "$(lab_now)") s (vng status $status); uptime:$(uptime)" >>"$results/env.txt"

cp "$out"/bench/*.csv "$out"/bench/notes.txt "$results"/ 2>/dev/null || true
guest=$(cat "$out/bench.status" 2>/dev/null || echo none)
if [ "$guest" != 0 ]; then
  echo "lab/bench.sh: the guest's bench ended with status $guest: $(cat "$out/bench.why" 2>/dev/null)" | tee -a "$results/env.txt" >&2
  tail -n 20 "$out/bench.log" "$out/console.log" >&2 || true
fi
bash "$repo/lab/bench-report.sh" "$results"
echo
cat "$results/env.txt"
[ "$guest" = 0 ]
