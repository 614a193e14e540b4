#!/bin/bash
# Runs inside the lab VM as root (started by lab/run.sh): loads the modules the cases need, runs each
# case in its own bash with lab/guest/lib.sh, prints "ok NAME (1.2 s)" or "FAIL NAME: why", then
# "N passed, N failed". Everything it writes goes to OUT (the host's output folder). A case may take
# at most 120 s, or what a "# lab-timeout: SECONDS" line in it says, or LAB_CASE_TIMEOUT (lab/soak.sh).
#   runner.sh REPO OUT BINARY [CASE...]    (no CASE: all of lab/cases/*.sh in order)
set -u
repo=$1 out=$2 bin=$3
shift 3
cut -d' ' -f1 /proc/uptime >"$out/started"
results=$out/results.txt
say() { echo "$*" >>"$results"; }

modprobe dm_mod || say "runner: modprobe dm_mod failed"

if [ $# -eq 0 ]; then
  for f in "$repo"/lab/cases/*.sh; do f=${f##*/}; set -- "$@" "${f%.sh}"; done
fi
mkdir -p "$out/cases"
passed=0 failed=0
for name in "$@"; do
  why=$out/cases/$name.why
  rm -f "$why"
  file=$repo/lab/cases/$name.sh
  [ -f "$file" ] || file=$repo/lab/extra/$name.sh
  limit=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\).*/\1/p' "$file" | head -1)
  limit=${LAB_CASE_TIMEOUT:-${limit:-120}}
  t0=$(date +%s.%N)
  # shellcheck disable=SC2016  # expanded by the case's own bash, from its environment
  LAB_REPO=$repo LAB_OUT=$out LAB_BIN=$bin LAB_CASE=$name LAB_WHY=$why LAB_CASE_FILE=$file \
    timeout "$limit" bash -c '. "$LAB_REPO/lab/guest/lib.sh"; . "$LAB_CASE_FILE"' \
    >"$out/cases/$name.log" 2>&1 </dev/null
  rc=$?
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); say "ok $name ($secs s)"
  else
    failed=$((failed + 1))
    reason=$(cat "$why" 2>/dev/null || true)
    [ $rc -eq 124 ] && reason="timed out after $limit s. $reason"
    say "FAIL $name: ${reason:-exit status $rc, see cases/$name.log}"
  fi
done
# A daemon still running would leave its log unflushed at power-off: stop it.
LAB_OUT=$out
. "$repo/lab/guest/lib.sh"
daemon_kill || { failed=$((failed + 1)); say "FAIL runner: the last daemon did not exit on SIGTERM (timings.txt)"; }
say "$passed passed, $failed failed"
[ $failed -eq 0 ]
