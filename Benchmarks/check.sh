#!/usr/bin/env bash
# Builds and runs every benchmark once and compares it with the committed `reference` baseline
# (.benchmarkBaselines/<target>/reference): exit 0 within the thresholds (Support/Thresholds.swift),
# 2 on a regression, another non-zero status when the build or a benchmark fails.
# `./check.sh update` records a new reference after a deliberate change (commit it); record it on an
# otherwise idle machine.
# `./check.sh --allocations` checks the allocation counts only: exact, so it cannot flake on a loaded
# machine where times move by 5-10x. test.sh (hence CI) runs this one.
set -uo pipefail
cd "$(dirname "$0")"

metrics=()
case ${1:-} in
    update) exec swift package --allow-writing-to-package-directory benchmark baseline update reference --no-progress --quiet ;;
    --allocations) metrics=(--metric mallocCountTotal) ;;
    "") ;;
    *) echo "check.sh: unknown argument $1 (update, --allocations or none)" >&2; exit 64 ;;
esac

log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift package benchmark baseline check reference "${metrics[@]}" --no-progress 2>&1 | tee "$log"
status=$?
# swift package turns the plugin's own exit codes (2 regression, 4 improvement) into 1: read its verdict.
if [ $status = 0 ]; then
    echo "check.sh: every benchmark within the reference's thresholds"
elif grep -q "is WORSE than the 'reference' baseline thresholds" "$log"; then
    echo "check.sh: REGRESSION against the reference (table above)"
    status=2
elif grep -q "is BETTER than the 'reference' baseline thresholds" "$log"; then
    echo "check.sh: better than the reference beyond the thresholds (not a failure); record it with ./check.sh update"
    status=0
else
    echo "check.sh: the build or a benchmark failed (status $status)"
fi
exit $status
