# Helpers for lab cases (sourced by each case's bash in the guest). Set by the runner: LAB_REPO, LAB_OUT,
# LAB_BIN (the multipathd binary), LAB_CASE, LAB_WHY (where `fail` writes the reason).
# The daemon runs in the background across cases; its stdout/stderr go to $LAB_OUT/multipathd.log.

lab_state=/tmp/lab            # throwaway in the guest
daemon_log=${LAB_OUT:-}/multipathd.log
mkdir -p "$lab_state"

# wait_until TIMEOUT_S COMMAND...: runs COMMAND until it succeeds (returns 0) or TIMEOUT_S seconds have
# passed (returns 1), sleeping $wait_until_sleep seconds (default 0.1) between tries; COMMAND runs at
# least once. Set wait_until_sleep for one call only: `wait_until_sleep=0.5 wait_until 30 COMMAND...`.
wait_until() {
  local deadline=$(( ${EPOCHREALTIME/./} + $1 * 1000000 ))
  shift
  until "$@"; do
    [ "${EPOCHREALTIME/./}" -lt "$deadline" ] || return 1
    sleep "${wait_until_sleep:-0.1}"
  done
}

# pid_gone PID: true once the process PID has exited.
pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# Ends the case with a reason for the result line.
fail() { echo "$*" >"$LAB_WHY"; echo "FAIL: $*" >&2; exit 1; }

# Runs a command; if it fails, fails the case with its output.
must() { local o; o=$("$@" 2>&1) || fail "$* failed: $(echo "$o" | tail -n 2 | tr '\n' ' ')"; }

# write_file PATH TEXT: PATH holds TEXT (and a newline) all at once: a reader finds it absent or whole,
# never created and still empty.
write_file() { printf '%s\n' "$2" >"$1.new" && mv -f "$1.new" "$1"; }

daemon_pid() { cat "$lab_state/daemon.pid" 2>/dev/null; }
daemon_running() { local p; p=$(daemon_pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && [ ! -e "$lab_state/daemon.status" ]; }
daemon_status() { cut -d' ' -f1 "$lab_state/daemon.status"; }

# Starts `multipathd -d -v3 ARGS` in the background and waits for "multipathd ready" (at most
# $daemon_ready_timeout s, default 20). A wrapper keeps its exit status in $lab_state/daemon.status,
# since the daemon is not a child of later cases.
# shellcheck disable=SC2120  # the cases pass the daemon options (daemon_ensure needs none)
daemon_start() {
  rm -f "$lab_state/daemon.pid" "$lab_state/daemon.status"
  log_mark
  (
    "$LAB_BIN" -d -v3 "$@" >>"$daemon_log" 2>&1 </dev/null &
    write_file "$lab_state/daemon.pid" $!
    wait $!
    write_file "$lab_state/daemon.status" "$? $EPOCHREALTIME"
  ) &
  wait_until_sleep=0.05 wait_until "${daemon_ready_timeout:-20}" daemon_ready_or_exited
  log_since_mark | grep -q 'multipathd ready' && return 0
  [ -e "$lab_state/daemon.status" ] && fail "daemon exited with status $(daemon_status): $(log_since_mark | tail -n 2 | tr '\n' ' ')"
  fail "daemon not ready within ${daemon_ready_timeout:-20} s: $(log_since_mark | tail -n 3 | tr '\n' ' ')"
}
daemon_ready_or_exited() {
  { log_since_mark | grep -q 'multipathd ready' && [ -e "$lab_state/daemon.pid" ]; } || [ -e "$lab_state/daemon.status" ]
}

# shellcheck disable=SC2119  # no options: the default daemon
daemon_ensure() { daemon_running || daemon_start; }

# Stops a leftover daemon (end of run) and waits until it has exited (at most 10 s).
daemon_kill() { daemon_running && kill -TERM "$(daemon_pid)" && wait_until 10 daemon_exited; true; }
daemon_exited() { [ -e "$lab_state/daemon.status" ] || pid_gone "$(daemon_pid)"; }

# Remembers the log's current length: wait_log and log_since_mark look only at what comes after.
log_mark() { touch "$daemon_log"; wc -l <"$daemon_log" >"$lab_state/mark"; }
log_since_mark() { tail -n +$(( $(cat "$lab_state/mark" 2>/dev/null || echo 0) + 1 )) "$daemon_log"; }

# wait_log REGEX [TIMEOUT_S=10] [COUNT=1]: waits until COUNT lines after the mark match REGEX (grep -E).
wait_log() { wait_until_sleep=0.05 wait_until "${2:-10}" log_has "$1" "${3:-1}"; }
# log_has REGEX COUNT: at least COUNT lines after the mark match REGEX.
log_has() { [ "$(log_since_mark | grep -cE -- "$1")" -ge "$2" ]; }

# wait_file PATH [TIMEOUT_S=10]: waits until PATH exists.
wait_file() { wait_until_sleep=0.02 wait_until "${2:-10}" test -e "$1"; }

# when_attr FILE VALUE OUT: writes $EPOCHREALTIME to OUT once FILE (a sysfs attribute) reads VALUE (at most
# 90 s). Looks every 10 ms with builtins only (a timed read on a FIFO nobody writes sleeps without a fork),
# so that a loaded guest does not delay the time it reports.
when_attr() {
  local v tick deadline=$(( ${EPOCHREALTIME/./} + 90000000 ))
  [ -p "$lab_state/tick" ] || mkfifo "$lab_state/tick"
  exec {tick}<>"$lab_state/tick"
  while read -r v <"$1" && [ "$v" != "$2" ]; do
    [ "${EPOCHREALTIME/./}" -lt "$deadline" ] || return 1
    read -rt 0.01 -u "$tick" v
  done
  write_file "$3" "$EPOCHREALTIME"
}

# words TEXT...: TEXT's words joined by single spaces, on one line (what `echo $TEXT` printed, without
# glob expansion); sorted_words TEXT: the same, sorted by version order.
words() { local -a w; read -ra w -d '' <<<"$*"; echo "${w[*]}"; }
sorted_words() { local -a w; read -ra w -d '' <<<"$*"; [ ${#w[@]} -eq 0 ] && { echo; return; }; printf '%s\n' "${w[@]}" | sort -V | paste -sd' '; }

# Milliseconds from one $EPOCHREALTIME to another.
ms_between() { echo $(( (${2/./} - ${1/./}) / 1000 )); }
