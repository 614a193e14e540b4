# Settings both daemons write to sysfs before they create a map, Debian's multipathd 0.9.4 then ours,
# same configuration: each path's SCSI host gets `eh_deadline`, each path `queue/max_sectors_kb`
# (scsi_debug's hosts accept eh_deadline; they have no FC, iSCSI or SAS transport to time out), and
# both log where each value came from.
# lab-timeout: 240
. "$LAB_REPO/lab/guest/scenario.sh"
eh_deadline=7
max_sectors_kb=64
host_of() { basename "$(readlink -f "/sys/block/$1/device")" | cut -d: -f1; }
steps() {
  local daemon=$1 disk host eh kb
  scenario_begin "$daemon" 2 eh_deadline "$eh_deadline" max_sectors_kb "$max_sectors_kb"
  for disk in $(scenario_disks); do
    host=$(host_of "$disk")
    eh=$(cat "/sys/class/scsi_host/host$host/eh_deadline")
    kb=$(cat "/sys/block/$disk/queue/max_sectors_kb")
    [ "$eh" != "$eh_deadline" ] && [ "$kb" != "$max_sectors_kb" ] ||
      fail "$daemon: $disk already has eh_deadline $eh, max_sectors_kb $kb before the daemon"
  done
  scenario_start
  scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with 2 active paths within 60 s"
  for disk in $(scenario_disks); do
    host=$(host_of "$disk")
    eh=$(cat "/sys/class/scsi_host/host$host/eh_deadline")
    kb=$(cat "/sys/block/$disk/queue/max_sectors_kb")
    echo "$daemon: $disk (host$host): eh_deadline $eh, max_sectors_kb $kb"
    [ "$eh" = "$eh_deadline" ] || fail "$daemon: host$host eh_deadline is $eh, not $eh_deadline"
    [ "$kb" = "$max_sectors_kb" ] || fail "$daemon: $disk max_sectors_kb is $kb, not $max_sectors_kb"
  done
  kb=$(cat "/sys/block/$(basename "$(readlink -f "/dev/mapper/$(scenario_map)")")/queue/max_sectors_kb")
  echo "$daemon: map max_sectors_kb $kb"
  [ "$kb" -le "$max_sectors_kb" ] || fail "$daemon: the map passes $kb KiB requests, more than its paths' $max_sectors_kb"
  # Both say at -v3 where the values came from.
  local log=$LAB_OUT/$daemon-$LAB_CASE.log origin='\(setting: multipath.conf defaults/devices section\)'
  grep -qE ": eh_deadline = $eh_deadline $origin" "$log" || fail "$daemon: no eh_deadline origin in the -v3 log"
  grep -qE ": max_sectors_kb = $max_sectors_kb $origin" "$log" || fail "$daemon: no max_sectors_kb origin in the -v3 log"
  grep -qE ': fast_io_fail_tmo = 5 \(setting: multipath internal\)' "$log" || fail "$daemon: no fast_io_fail_tmo origin in the -v3 log"
}
scenario_both steps
