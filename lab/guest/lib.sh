# Helpers for lab cases (sourced by each case's bash in the guest). Set by the runner: LAB_REPO, LAB_OUT,
# LAB_BIN (the multipathd binary), LAB_CASE, LAB_WHY (where `fail` writes the reason).
# The daemon runs in the background across cases; its stdout/stderr go to $LAB_OUT/multipathd.log.

lab_state=/tmp/lab            # throwaway in the guest
daemon_log=${LAB_OUT:-}/multipathd.log
mkdir -p "$lab_state"

# Ends the case with a reason for the result line.
fail() { echo "$*" >"$LAB_WHY"; echo "FAIL: $*" >&2; exit 1; }

# Runs a command; if it fails, fails the case with its output.
must() { local o; o=$("$@" 2>&1) || fail "$* failed: $(echo "$o" | tail -n 2 | tr '\n' ' ')"; }

daemon_pid() { cat "$lab_state/daemon.pid" 2>/dev/null; }
daemon_running() { local p; p=$(daemon_pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && [ ! -e "$lab_state/daemon.status" ]; }
daemon_status() { cut -d' ' -f1 "$lab_state/daemon.status"; }

# Starts `multipathd -d -v3 ARGS` in the background and waits for "multipathd ready". A wrapper keeps
# its exit status in $lab_state/daemon.status, since the daemon is not a child of later cases.
# shellcheck disable=SC2120  # the cases pass the daemon options (daemon_ensure needs none)
daemon_start() {
  rm -f "$lab_state/daemon.pid" "$lab_state/daemon.status"
  log_mark
  (
    "$LAB_BIN" -d -v3 "$@" >>"$daemon_log" 2>&1 </dev/null &
    echo $! >"$lab_state/daemon.pid"
    wait $!
    echo "$? $EPOCHREALTIME" >"$lab_state/daemon.status"
  ) &
  for _ in $(seq 200); do
    log_since_mark | grep -q 'multipathd ready' && return 0
    [ -e "$lab_state/daemon.status" ] && fail "daemon exited with status $(daemon_status): $(log_since_mark | tail -n 2 | tr '\n' ' ')"
    sleep 0.05
  done
  fail "daemon not ready within 10 s: $(log_since_mark | tail -n 3 | tr '\n' ' ')"
}

# shellcheck disable=SC2119  # no options: the default daemon
daemon_ensure() { daemon_running || daemon_start; }

# Stops a leftover daemon (end of run).
daemon_kill() { daemon_running && kill -TERM "$(daemon_pid)" && sleep 1; true; }

# Remembers the log's current length: wait_log and log_since_mark look only at what comes after.
log_mark() { touch "$daemon_log"; wc -l <"$daemon_log" >"$lab_state/mark"; }
log_since_mark() { tail -n +$(( $(cat "$lab_state/mark" 2>/dev/null || echo 0) + 1 )) "$daemon_log"; }

# wait_log REGEX [TIMEOUT_S=10] [COUNT=1]: waits until COUNT lines after the mark match REGEX (grep -E).
wait_log() {
  local re=$1 timeout=${2:-10} count=${3:-1} deadline
  deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
  while [ "$(date +%s%N)" -lt $deadline ]; do
    [ "$(log_since_mark | grep -cE -- "$re")" -ge "$count" ] && return 0
    sleep 0.05
  done
  return 1
}

# wait_file PATH [TIMEOUT_S=10]: waits until PATH exists.
wait_file() {
  local deadline=$(( ${EPOCHREALTIME/./} + ${2:-10} * 1000000 ))
  while [ ! -e "$1" ]; do
    [ ${EPOCHREALTIME/./} -lt $deadline ] || return 1
    sleep 0.02
  done
}

# words TEXT...: TEXT's words joined by single spaces, on one line (what `echo $TEXT` printed, without
# glob expansion); sorted_words TEXT: the same, sorted by version order.
words() { local -a w; read -ra w -d '' <<<"$*"; echo "${w[*]}"; }
sorted_words() { local -a w; read -ra w -d '' <<<"$*"; [ ${#w[@]} -eq 0 ] && { echo; return; }; printf '%s\n' "${w[@]}" | sort -V | paste -sd' '; }

# Milliseconds from one $EPOCHREALTIME to another.
ms_between() { echo $(( (${2/./} - ${1/./}) / 1000 )); }
