#!/usr/bin/env bash
# Builds the libFuzzer targets (release, -sanitize=fuzzer,address, one product at a time) and runs them.
#   Fuzz/run.sh --ci [TARGET...]                  each target for 30 s (CI; test.sh's `fuzz` line)
#   Fuzz/run.sh --long [--max-time S] [TARGET...]  each target to 10 million executions (or S seconds,
#                                                  whichever comes first), one after another; writes
#                                                  Fuzz/RESULTS.md (a row per target, rows of targets
#                                                  not run are kept)
# A crash, a timeout (-timeout) or too much memory (-rss_limit_mb) fails the run; the reproducer's path
# is printed (rerun it: `Fuzz/.build/release/TARGET PATH`). Work files: Fuzz/.build/fuzz/.
set -uo pipefail
cd "$(dirname "$0")" || exit 1

targets_all=(FuzzConfig FuzzRegex FuzzControl FuzzUevent FuzzDM FuzzSCSI FuzzFiles)
mode=""
max_time=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ci|--long) mode=${1#--} ;;
    --max-time) max_time=$2; shift ;;
    Fuzz*) targets+=("$1") ;;
    *) echo "usage: Fuzz/run.sh --ci|--long [--max-time SECONDS] [TARGET...]" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$mode" ] || { echo "usage: Fuzz/run.sh --ci|--long [--max-time SECONDS] [TARGET...]" >&2; exit 2; }
[ ${#targets[@]} -gt 0 ] || targets=("${targets_all[@]}")

# SwiftPM names a path dependency after its folder: a checkout in a folder named `fuzz` clashes with this
# package's own name.
parent=$(basename "$(cd .. && pwd)")
if [ "${parent,,}" = fuzz ]; then
  echo "Fuzz/run.sh: the checkout's folder is named '$parent', which SwiftPM confuses with the Fuzz package" >&2
  exit 2
fi

work=.build/fuzz
mkdir -p "$work/artifacts"
# lld: gold fails on the sanitized objects (internal error in format_file_lineno).
flags=(-c release -Xswiftc "-sanitize=fuzzer,address" -Xswiftc -parse-as-library -Xswiftc -use-ld=lld)
export ASAN_OPTIONS=detect_leaks=0:malloc_context_size=0 SWIFT_BACKTRACE=enable=no

build_start=$SECONDS
for t in "${targets[@]}"; do
  # One product at a time: a plain `swift build` would link every executable with libFuzzer's main.
  swift build "${flags[@]}" --product "$t" >"$work/build-$t.log" 2>&1 || {
    tail -30 "$work/build-$t.log"
    echo "fuzz: FAIL: building $t (log: Fuzz/$work/build-$t.log)"
    exit 1
  }
done
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - build_start)) s"

# The final line of a run's statistics: `#N DONE cov: C ft: F corp: U/Sb ... exec/s: E rss: RMb`.
stat() { grep -aE '^#[0-9]+[[:space:]]+DONE' "$1" | tail -1 | grep -oE "$2: [^ ]+" | cut -d' ' -f2; }

row() {
  local t=$1 log=$2 seconds=$3 crashes=$4 runs
  runs=$(grep -aoE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+')
  echo "| $t | $runs | $(stat "$log" exec/s) | $seconds | $(stat "$log" cov) | $(stat "$log" ft) | $(stat "$log" corp) | $crashes | $(date -u +%Y-%m-%d) | $(git rev-parse --short HEAD 2>/dev/null || echo unknown) |"
}

status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t"
  log="$work/$t.log"
  opts=(-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-")
  # Longer inputs only repeat what shorter ones reach, at a cost that grows with their length (libFuzzer's
  # default is 4,096 bytes). FuzzControl: a request holds at most 512 bytes (the framing refuses more), so
  # the mode byte, the piece byte and two whole frames of 8 + 512 bytes. FuzzConfig: a line over 1,023
  # bytes (read on as the next line, as 0.9.4's fgets does) with room around it, near three times the
  # longest seed (a whole lab configuration, 565 bytes); more entries of the same kinds only add cost.
  # The cost of huge inputs is bounded by unit tests instead (PathologicalCostTests, ManyEntriesTests).
  case "$t" in
    FuzzControl) opts+=(-max_len=1042) ;;
    FuzzConfig) opts+=(-max_len=1536) ;;
  esac
  if [ "$mode" = ci ]; then
    opts+=(-timeout=5 -max_total_time=30)
  else
    # libFuzzer's timeout is wall-clock time: a long run under nice on a 2-core machine that also builds
    # and runs lab VMs can be held off the CPU for seconds (a 45 ms input was once stopped at 6 s).
    opts+=(-timeout=30 -runs=10000000)
    [ -z "$max_time" ] || opts+=(-max_total_time="$max_time")
  fi
  start=$SECONDS
  # New inputs go to the first folder (not committed); the committed seeds are read only.
  if nice ".build/release/$t" "${opts[@]}" "$work/corpus/$t" "Seeds/$t" >"$log" 2>&1; then
    echo "fuzz: ok $t: $(grep -aoE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+') executions in $((SECONDS - start)) s, $(stat "$log" exec/s) exec/s"
    [ "$mode" = ci ] || row "$t" "$log" $((SECONDS - start)) 0 >"$work/$t.row"
  else
    status=1
    grep -aE '^==[0-9]+==|ERROR: libFuzzer|^fuzz: |SUMMARY' "$log" | head -8 | cut -c1-300
    echo "fuzz: FAIL $t (log: Fuzz/$log): reproducer Fuzz/$(grep -aoE 'Test unit written to [^ ]+' "$log" | cut -d' ' -f5)"
    [ "$mode" = ci ] || row "$t" "$log" $((SECONDS - start)) 1 >"$work/$t.row"
  fi
done

if [ "$mode" = long ]; then
  # Rows of this run replace the same targets' rows; the others stay.
  {
    echo "# Long fuzz runs"
    echo
    echo "\`Fuzz/run.sh --long\`: each target to 10 million executions (\`-runs=10000000\`), or as many as"
    echo "\`--max-time\` allowed, one after another, under \`nice\`, with \`-timeout=30 -rss_limit_mb=2048\`, ASan"
    echo "(CI's 30-second runs: \`-timeout=5\`; the long runs' wall-clock limit leaves room for a niced process on a busy machine)."
    echo "Coverage: libFuzzer's \`cov\` (edges) and \`ft\` (features); corpus: units/bytes at the end. Inputs are"
    echo "at most 1,042 bytes for FuzzControl (two whole frames of the longest request) and 1,536 for FuzzConfig"
    echo "(\`-max_len\`, see run.sh), libFuzzer's 4,096 for the others."
    echo
    echo "| target | executions | exec/s | seconds | cov | ft | corpus | crashes | date | commit |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for t in "${targets_all[@]}"; do
      if [ -s "$work/$t.row" ] && [[ " ${targets[*]} " == *" $t "* ]]; then
        cat "$work/$t.row"
      elif [ -f RESULTS.md ]; then
        grep -E "^\| $t \|" RESULTS.md || true
      fi
    done
    # The notes below the table stay.
    [ ! -f RESULTS.md ] || awk '/^\|---/ { table = 1; next } table && !/^\|/ { notes = 1 } notes' RESULTS.md
  } >"$work/RESULTS.md.new"
  mv "$work/RESULTS.md.new" RESULTS.md
fi
exit $status
