# NVMe/TCP paths (lab/guest/nvme.sh: one nvmet namespace on two ports over two veth links), Debian's
# multipathd 0.9.4 then ours in the same boot, each from fresh connections, with the lab defaults and
# `no_path_retry queue` (overrides). For each daemon: the map is built over both paths, active, in one
# group, bio-based, with queue_if_no_path; the paths are claimed in udev; 1 MiB written through the map with O_DIRECT
# reads back intact; then, under fio with verification (lab/guest/iscsi-faults.sh's), port 1's link goes
# down until its path has failed in DM and comes back: 0 I/O errors, 0 verify failures, I/O on the
# returned path. Prints link down -> path failed in DM, link up -> controller live -> path active in DM.
# Not in CI (lab/extra, run by name: lab/run.sh --case 58-nvme-tcp): it took 170-208 s, most of it the
# kernel's own detection of the cut (10-32 s a daemon: keep-alive or the 30 s I/O timeout) and reconnect.
# lab-timeout: 400
. "$LAB_REPO/lab/guest/iscsi-faults.sh"
. "$LAB_REPO/lab/guest/nvme.sh"
nvme_overrides="no_path_retry queue"

# shellcheck disable=SC2031  # watch_log: scenario_both sets it for each side's subshell
nvme_steps() {
  local daemon=$1 map ms d s table
  scenario_daemon=$daemon
  trap nvme_side_end EXIT
  trap 'exit 1' TERM
  daemon_kill
  nvme_connect
  scenario_watch
  scenario_start
  ms=$(scenario_wait A 2 "$scenario_t0" 60) || fail "$daemon: no map with 2 active NVMe paths within 60 s"
  map=$(scenario_map)
  scenario_timing "$daemon: NVMe/TCP map $map with 2 active paths ${ms#* } ms after start"
  table=$(dmsetup table "$map")
  echo "$daemon: dmsetup table: $table"
  # As the kernel prints a bio-based map (0.9.4 makes any map with an NVMe/TCP path one).
  [[ $table =~ " multipath 4 queue_if_no_path retain_attached_hw_handler queue_mode bio 0 1 1 service-time 0 2 2 "[0-9]+:[0-9]+" 1 1 "[0-9]+:[0-9]+" 1 1 "?$ ]] ||
    fail "$daemon: not one bio-based group of both paths with queue_if_no_path: $table"
  scenario_cli show paths format "%d %D %s %P %T %t %p %C" | sed "s/^/$daemon: /"
  udevadm settle --timeout=30
  for d in $(nvme_disks); do
    s=$(udevadm info -q property -n "$d" | sed -n 's/^DM_MULTIPATH_DEVICE_PATH=//p')
    echo "$daemon: $d DM_MULTIPATH_DEVICE_PATH=$s"
    [ "$s" = 1 ] || fail "$daemon: $d is not claimed in udev (DM_MULTIPATH_DEVICE_PATH=$s)"
  done
  nvme_write_read "$map"
  nvme_link_fault "$map"
}
nvme_side_end() {
  [ -s "$lab_state/fio.pid" ] && kill -INT "$(cat "$lab_state/fio.pid")" 2>/dev/null && wait_until 60 pid_gone "$(cat "$lab_state/fio.pid")"
  scenario_end
  nvme_disconnect
}

# 1 MiB of random bytes written through MAP with O_DIRECT, read back the same way and compared.
nvme_write_read() {
  local data=$lab_state/nvme-1m
  must dd if=/dev/urandom of="$data" bs=1M count=1 status=none
  must dd if="$data" of="/dev/mapper/$1" bs=1M count=1 oflag=direct status=none
  must dd if="/dev/mapper/$1" of="$data.back" bs=1M count=1 iflag=direct status=none
  cmp -s "$data" "$data.back" || fail "$scenario_daemon: 1 MiB written through $1 read back different"
  echo "$scenario_daemon: 1 MiB written through $1 (O_DIRECT) read back intact"
}

# Port 1's link down under fio until its path has failed in DM and its controller left `live` (at least
# 10 s), then up.
nvme_link_fault() {
  local map=$1 d=$scenario_daemon ctrl disk t_down t_up fail_ms live_ms active_ms w report
  ctrl=$(nvme_ctrl 1) || fail "$d: no controller on port 1"
  disk=$(nvme_disks | head -n 1)
  iscsi_fio_start "$map" link
  t_down=$EPOCHREALTIME
  nvme_link 1 down
  fail_ms=$(scenario_wait F 1 "$t_down" 60) || fail "$d: path not failed in DM within 60 s of the link cut"
  wait_until 60 nvme_not_live "$ctrl" || fail "$d: $ctrl still live 60 s after the link cut"
  wait_until 15 passed_since "$t_down" 10
  rm -f "$lab_state/live"
  nvme_when_state "$ctrl" live "$lab_state/live" &
  t_up=$EPOCHREALTIME
  nvme_link 1 up
  wait_file "$lab_state/live" 90 || fail "$d: $ctrl not live 90 s after the link came back"
  live_ms=$(ms_between "$t_up" "$(cat "$lab_state/live")")
  active_ms=$(scenario_wait A 2 "$t_up" 60) || fail "$d: paths not both active in DM 60 s after the link came back"
  w=$(iscsi_writes "$disk")
  wait_until 30 iscsi_wrote_since "$disk" "$w" || fail "$d: no write reached $disk within 30 s of its return"
  report=$(iscsi_fio_stop link) || fail "$d: $report"
  active_ms=${active_ms#* }
  scenario_timing "$d (NVMe/TCP link down): down -> failed in DM ${fail_ms#* } ms; up -> controller live $live_ms ms -> active in DM $active_ms ms ($(( ${active_ms%.*} - live_ms )) ms after live); fio: $report"
  iscsi_fio_judge "$d (NVMe/TCP link down)" "$report"
}
nvme_not_live() { [ "$(cat "/sys/class/nvme/$1/state")" != live ]; }

nvme_fabric_up 2
trap nvme_fabric_down EXIT
# shellcheck disable=SC2119  # no KEY VALUE pairs: the lab defaults
nvme_config
scenario_both nvme_steps
