#!/usr/bin/env bash
# Runs the lab cases (lab/cases/NN-name.sh) in one boot of Debian's kernel under QEMU and prints one
# line per case and a final "N passed, N failed". Exits non-zero if a case failed or the VM did not report.
# Builds nothing: the guest runs this checkout's .build/debug (or --release: .build/release) binaries.
#   lab/run.sh [--release] [--case NAME...]     NAME: a case file's name without .sh, e.g. 04-dm-event
#                                                (lab/extra/ holds cases CI does not run: --case only)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/lab/vm.sh"

config=debug
cases=()
while [ $# -gt 0 ]; do
  case $1 in
    --release) config=release ;;
    --case)
      [ $# -ge 2 ] || { echo "lab/run.sh: --case needs a name" >&2; exit 2; }
      while [ $# -ge 2 ] && [ "${2#-}" = "$2" ]; do cases+=("$2"); shift; done ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "lab/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for c in "${cases[@]}"; do
  [ -f "$repo/lab/cases/$c.sh" ] || [ -f "$repo/lab/extra/$c.sh" ] || { echo "lab/run.sh: no case lab/cases/$c.sh or lab/extra/$c.sh" >&2; exit 2; }
done
bin=$repo/.build/$config/multipathd
build_flags=; [ $config = release ] && build_flags=" -c release"
[ -x "$bin" ] || { echo "lab/run.sh: $bin is missing: build it first (swift build$build_flags)" >&2; exit 2; }
lab_check

out=$(lab_outdir "$repo" run)
: >"$out/results.txt"
echo "lab: booting $(basename "$(lab_kernel)") (output in $out)"
start=$(lab_now)
lab_boot "$out" "bash $repo/lab/guest/runner.sh $repo $out $bin ${cases[*]}" &
vm=$!
# The runner creates 'started' first thing: the host's view of boot-to-command time.
while [ ! -e "$out/started" ] && kill -0 $vm 2>/dev/null; do sleep 0.1; done
booted=$(lab_now)
tail -n +1 -f --pid=$vm "$out/results.txt" &
tailer=$!
status=0
wait $vm || status=$?
wait $tailer 2>/dev/null || true
end=$(lab_now)

if [ -e "$out/started" ]; then
  echo "lab: boot to runner $(lab_seconds "$start" "$booted") s (kernel uptime then $(cat "$out/started") s), cases $(lab_seconds "$booted" "$end") s incl. power-off, total $(lab_seconds "$start" "$end") s"
fi
[ -s "$out/timings.txt" ] && sed 's/^/lab: /' "$out/timings.txt"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/results.txt" | tail -1 || true)
if [ -z "$summary" ]; then
  echo "lab: FAIL: the VM did not report (vng exit status $status); console: $out/console.log" >&2
  tail -n 20 "$out/console.log" >&2
  exit 1
fi
case $summary in
  *" 0 failed") [ $status = 0 ] || { echo "lab: FAIL: vng exit status $status" >&2; exit 1; } ;;
  *) exit 1 ;;
esac
