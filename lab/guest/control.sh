# Helpers for the control-socket cases (sourced after lab/guest/lib.sh).

debian_client=/usr/sbin/multipathd
# shellcheck disable=SC2034  # for the cases that source this file
fixtures=$LAB_REPO/Tests/MultipathCoreTests/Fixtures/debian-0.9.4
# shellcheck disable=SC2034  # for the cases that source this file
labtool=$(dirname "$LAB_BIN")/labtool

# Debian's daemon must not hold the socket: these cases talk to ours.
debian_daemon_stop() {
  local p
  for p in $(pgrep -x multipathd); do
    [ "$(readlink -f /proc/"$p"/exe)" = "$(readlink -f $debian_client)" ] && kill -TERM "$p" && wait_until 10 pid_gone "$p"
  done
  true
}

# Debian's client, its stderr (config warnings) dropped; the exit status is the client's.
deb() { "$debian_client" "$@" 2>/dev/null; }
