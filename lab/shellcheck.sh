#!/usr/bin/env bash
# Runs shellcheck (settings in .shellcheckrc) on every lab script, .ci/run, test.sh and Fuzz/run.sh.
# Exits non-zero on any finding. Needs the Debian package shellcheck (lab/install.sh --build-only).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null || { echo "lab/shellcheck.sh: shellcheck is missing (apt-get install shellcheck)" >&2; exit 2; }
shellcheck lab/*.sh lab/cases/*.sh lab/extra/*.sh lab/guest/*.sh .ci/run test.sh Fuzz/run.sh
echo "shellcheck: lab/, .ci/run, test.sh and Fuzz/run.sh clean"
