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
# The wrapper of daemon_start writes the daemon's exit status and time to exit.PID: keyed by the pid, so
# that a daemon which exits late never reports its status as the next daemon's.
# daemon_exit_file [PID]: that file for PID (default: the current daemon's).
daemon_exit_file() { echo "$lab_state/exit.${1:-$(daemon_pid)}"; }
daemon_running() { local p; p=$(daemon_pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && [ ! -e "$(daemon_exit_file "$p")" ]; }
daemon_status() { cut -d' ' -f1 "$(daemon_exit_file)"; }

# Starts `multipathd -d -v3 ARGS` in the background and waits for "multipathd ready" (at most
# $daemon_ready_timeout s, default 20). A wrapper keeps its exit status in exit.PID, since the daemon is
# not a child of later cases.
# shellcheck disable=SC2120  # the cases pass the daemon options (daemon_ensure needs none)
daemon_start() {
  daemon_running && fail "daemon_start: the daemon $(daemon_pid) is still running (daemon_kill first)"
  rm -f "$lab_state/daemon.pid"
  log_mark
  (
    "$LAB_BIN" -d -v3 "$@" >>"$daemon_log" 2>&1 </dev/null &
    p=$!
    write_file "$lab_state/daemon.pid" $p
    wait $p
    write_file "$(daemon_exit_file "$p")" "$? $EPOCHREALTIME"
  ) &
  wait_until_sleep=0.05 wait_until "${daemon_ready_timeout:-20}" daemon_ready_or_exited
  log_since_mark | grep -q 'multipathd ready' && return 0
  [ -e "$(daemon_exit_file)" ] && fail "daemon exited with status $(daemon_status): $(log_since_mark | tail -n 2 | tr '\n' ' ')"
  fail "daemon not ready within ${daemon_ready_timeout:-20} s: $(log_since_mark | tail -n 3 | tr '\n' ' ')"
}
daemon_ready_or_exited() {
  [ -e "$lab_state/daemon.pid" ] || return 1
  log_since_mark | grep -q 'multipathd ready' || [ -e "$(daemon_exit_file)" ]
}

# shellcheck disable=SC2119  # no options: the default daemon
daemon_ensure() { daemon_running || daemon_start; }

# Stops the daemon with SIGTERM and waits until it has exited. A daemon still running 30 s later is a
# hang: its kernel stack and last log lines are kept in timings.txt, it is killed (so that later cases
# start clean), and the case fails (outside a case, the runner's last stop: status 1).
daemon_kill() {
  daemon_running || return 0
  local p why ms t0=$EPOCHREALTIME
  p=$(daemon_pid)
  kill -TERM "$p"
  if wait_until 30 daemon_exited; then
    # A slow exit is worth seeing even when it ends well (case 05 holds the 1 s limit).
    ms=$(ms_between "$t0" "$EPOCHREALTIME")
    [ "$ms" -lt 5000 ] || echo "lab: the daemon $p exited $ms ms after SIGTERM" >>"$LAB_OUT/timings.txt"
    return 0
  fi
  why="the daemon $p was still running 30 s after SIGTERM (wchan $(cat /proc/"$p"/wchan 2>/dev/null); stack $(tr '\n' ' ' </proc/"$p"/stack 2>/dev/null); log: $(tail -n 3 "$daemon_log" | tr '\n' ' '))"
  echo "lab: $why" >>"$LAB_OUT/timings.txt"
  kill -KILL "$p"
  wait_until 10 daemon_exited
  [ -z "${LAB_CASE:-}" ] || fail "$why"
  return 1
}
daemon_exited() { [ -e "$(daemon_exit_file)" ] || pid_gone "$(daemon_pid)"; }

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
