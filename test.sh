#!/usr/bin/env bash
# Runs every test: installs what is needed (lab/install.sh, root on Debian 12), runs shellcheck on the lab
# scripts (lab/shellcheck.sh) and swift-format on the Swift sources (.swift-format), builds, runs the unit tests
# (swift test) and the micro benchmarks' allocation counts (Benchmarks/check.sh --allocations), the fuzz targets
# for 30 s each (Fuzz/run.sh --ci), then the lab cases in a QEMU VM with Debian's kernel (lab/run.sh). Fails on any failure.
# If the lab's packages cannot be installed, the lab is SKIPPED (loudly) and the unit tests still run.
set -uo pipefail
cd "$(dirname "$0")" || exit 1

bash lab/install.sh --build-only || { echo "test.sh: cannot install the build dependencies" >&2; exit 1; }
lab=ready
bash lab/install.sh || lab=unavailable

# The lab's scripts, .ci/run and this file: any shellcheck finding fails the run.
shell=ok
lab/shellcheck.sh || shell=FAIL
# The Swift sources against .swift-format (the toolchain's swift-format): any finding fails the run.
# `swift-format format -i -r --parallel Sources Tests Benchmarks/Benchmarks` fixes what it finds.
style=ok
swift-format lint --strict -r --parallel Sources Tests Benchmarks/Benchmarks || style=FAIL

swift build || { echo "test.sh: FAIL: swift build" >&2; exit 1; }
unit=ok
swift test || unit=FAIL
# The micro benchmarks' allocation counts against the committed reference (exact: no flakes).
Benchmarks/check.sh --allocations || unit=FAIL
# The libFuzzer targets, 30 s each (Fuzz/README.md); a crash, hang or memory blow-up prints its reproducer.
fuzz=ok
Fuzz/run.sh --ci || fuzz=FAIL

if [ $lab = ready ]; then
  lab/run.sh && lab=ok || lab=FAIL
else
  echo
  echo "################################################################"
  echo "## SKIP: lab cases NOT RUN: the lab's packages could not be   ##"
  echo "## installed (see lab/install.sh output above)                ##"
  echo "################################################################"
  lab=SKIPPED
fi

echo "test.sh: shellcheck $shell, swift-format $style, unit tests $unit, fuzz $fuzz, lab $lab"
[ $shell = ok ] && [ $style = ok ] && [ $unit = ok ] && [ $fuzz = ok ] && [ $lab != FAIL ]
