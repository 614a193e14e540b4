# prio ana on NVMe/TCP (lab/guest/nvme.sh: one nvmet namespace on two ports): port 1 optimized, port 2
# non-optimized. Debian's multipathd 0.9.4 then ours in the same boot, each from fresh connections:
# `detect_prio` picks `ana` (the lab defaults say `prio alua`), the map has two groups, port 1's path
# first (priorities 50 and 10); then the states swap and each daemon reloads the map with port 2's
# path first. Prints each side's table, topology and the time from the swap to the DM table change
# (nvmet sends an ANA change event; with nvme_core.multipath=N the host kernel does nothing visible with
# it, so both daemons see the swap at a priority refresh, at most max_polling_interval later).
# Not in CI (lab/extra, run by name: lab/run.sh --case 61-nvme-ana).
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/nvme.sh"
nvme_overrides="no_path_retry queue"

# shellcheck disable=SC2031  # watch_log: scenario_both sets it for each side's subshell
ana_steps() {
  local daemon=$1 map ms t dev1 dev2
  scenario_daemon=$daemon
  trap ana_side_end EXIT
  trap 'exit 1' TERM
  daemon_kill
  nvme_ana 1 optimized
  nvme_ana 2 non-optimized
  nvme_connect
  dev1=$(nvme_dev 1) && dev2=$(nvme_dev 2) || fail "no namespace on port 1 or 2"
  scenario_watch
  scenario_start
  ms=$(scenario_wait A 2 "$scenario_t0" 60) || fail "$daemon: no map with 2 active NVMe paths within 60 s"
  map=$(scenario_map)
  wait_until 30 ana_first "$map" "$dev1" ||
    fail "$daemon: not two groups with port 1's path ($dev1) first 30 s after start: $(dmsetup table "$map")"
  ana_show "$map"
  t=$EPOCHREALTIME
  nvme_ana 1 non-optimized
  nvme_ana 2 optimized
  wait_until 60 ana_first "$map" "$dev2" ||
    fail "$daemon: port 2's path ($dev2) not first 60 s after the ANA states swapped: $(dmsetup table "$map")"
  ms=$(ms_between "$t" "$EPOCHREALTIME")
  ana_show "$map"
  scenario_timing "$daemon: NVMe ANA states swapped -> DM table with the optimized path's group first in $ms ms"
}
ana_side_end() {
  scenario_end
  nvme_disconnect
}

# ana_first MAP DEV: MAP's table has two groups, the first holding DEV alone.
ana_first() {
  local groups
  groups=$("$labtool" groups "$1") || return 1
  [ "$(echo "$groups" | wc -l)" = 2 ] && [ "$(echo "$groups" | head -n 1 | cut -d' ' -f2-)" = "$2" ]
}
ana_show() {
  echo "$scenario_daemon: dmsetup table: $(dmsetup table "$1")"
  scenario_cli show topology | sed "s/^/$scenario_daemon: /"
}

nvme_fabric_up 2
trap nvme_fabric_down EXIT
# shellcheck disable=SC2119  # no KEY VALUE pairs: the lab defaults
nvme_config
scenario_both ana_steps
