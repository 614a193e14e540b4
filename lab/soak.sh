#!/usr/bin/env bash
# The long soak (issue 14): boots one VM and runs lab case 46-soak for MINUTES (default 10) with SEED
# (default: from the clock; printed): fio with crc32c verification through a 4-path scsi_debug map, a
# 2-port tcm_loop map and a 2-portal iSCSI map (real links; --no-iscsi leaves it out) under our daemon
# while a seeded schedule takes paths away and brings them back, with one kill -9 and restart
# (lab/guest/soak.sh). The summary is printed and written to
# lab/results/soak-DATE-seedSEED.md (commit it); the raw output stays in lab/out/latest.
# Runs this checkout's debug build (swift build first), as CI's lab does.
#   lab/soak.sh [--minutes N] [--seed N] [--no-iscsi]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/lab/vm.sh"

minutes=10 seed=$((RANDOM)) iscsi=1
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=${2:?--minutes needs a number}; shift ;;
    --seed) seed=${2:?--seed needs a number}; shift ;;
    --no-iscsi) iscsi=0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "lab/soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$minutes" -ge 2 ] || { echo "lab/soak.sh: at least 2 minutes (the leak check samples after the first)" >&2; exit 2; }
bin=$repo/.build/debug/multipathd
[ -x "$bin" ] || { echo "lab/soak.sh: $bin is missing: swift build first" >&2; exit 2; }
lab_check

out=$(lab_outdir "$repo" soak)
: >"$out/results.txt"
echo "soak: $minutes minutes, seed $seed, iSCSI $([ $iscsi = 1 ] && echo on || echo off) (output in $out)"
seconds=$((minutes * 60))
# Setup, the restart and fio's end add a few minutes to the case.
LAB_TIMEOUT=$((seconds + 900)) lab_boot "$out" \
  "SOAK_SECONDS=$seconds SOAK_SEED=$seed SOAK_ISCSI=$iscsi LAB_CASE_TIMEOUT=$((seconds + 600)) bash $repo/lab/guest/runner.sh $repo $out $bin 46-soak" || true
cat "$out/results.txt"
[ -s "$out/soak-summary.md" ] || { echo "soak: no summary; see $out/cases/46-soak.log" >&2; exit 1; }
mkdir -p "$repo/lab/results"
result=$repo/lab/results/soak-$(date -u +%Y-%m-%d)-seed$seed.md
{
  cat "$out/soak-summary.md"
  echo
  echo "Command: \`lab/soak.sh --minutes $minutes --seed $seed$([ $iscsi = 1 ] || echo ' --no-iscsi')\` at $(git -C "$repo" rev-parse --short HEAD)"
  echo
  echo "Result: $(head -n 1 "$out/results.txt")"
  echo
  echo '```'
  cat "$out/soak-events.log"
  echo '```'
} >"$result"
echo "soak: summary in $result"
grep -q '^ok 46-soak' "$out/results.txt"
