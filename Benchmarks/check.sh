#!/bin/sh
# Builds and runs every benchmark once and compares it with the committed `reference` baseline
# (.benchmarkBaselines/<target>/reference): exit 0 within the thresholds (Support/Thresholds.swift),
# non-zero on a regression or a failure. `./check.sh update` records a new reference after a deliberate
# change (commit it); run it on an otherwise idle machine.
set -u
cd "$(dirname "$0")"

if [ "${1:-}" = update ]; then
    exec swift package --allow-writing-to-package-directory benchmark baseline update reference --no-progress --quiet
fi

swift package benchmark baseline check reference --no-progress
status=$?
# package-benchmark: 0 within the thresholds, 2 a regression, 4 improvements only.
case $status in
0) echo "check.sh: every benchmark within the reference's thresholds" ;;
4) echo "check.sh: better than the reference beyond the thresholds (not a failure); record it with ./check.sh update"
   status=0 ;;
2) echo "check.sh: REGRESSION against the reference (see the table above)" ;;
*) echo "check.sh: benchmark run failed (status $status)" ;;
esac
exit $status
