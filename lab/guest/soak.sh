# The soak (issue 14), for our daemon: fio with verification through two maps while a seeded random
# schedule takes paths away and brings them back, and one kill -9 of the daemon during a fault.
#   soak_run SECONDS SEED     (sourced after lib.sh; the case's EXIT trap cleans up)
# Maps: scsi_debug, 4 paths to one 64 MB LUN (offline/running, delete/rescan, add_host -1/+1); LIO
# tcm_loop, 2 ports in their own ALUA groups (standby, unavailable, transitioning, back). Lab config plus
# failback immediate, polling_interval 2, no_path_retry 12 (so queue_if_no_path is in the features).
# Invariant: every take-away leaves each map at least one path that DM has active and that can do I/O
# (scsi_debug's standby hosts, host number mod 3 = 2, cannot); when the daemon has not yet reinstated
# enough paths, the schedule waits for it (bounded), so the seeded sequence stays the same. The queue
# is never relied on. Transitioning makes reads to that port hang for about 180 s in the kernel (SCSI
# retries): it is only set on the port of the lower group (non-optimized, the other one optimized and
# carrying the I/O), for one schedule step.
# Pass: fio ends with 0 errors (I/O and verification), the daemon's VmRSS and fd count after the last
# step within 5% of the first sample after 60 s (both taken with every path back and active), and the
# restart after kill -9 adopts both maps without a reload (no DM resume uevent, tables unchanged, no
# reload logged), with every path's DM state matching sysfs within one polling interval of "ready".
# With SOAK_ISCSI=1 (lab/soak.sh's long run) a third map goes over a real iSCSI fabric (2 portals on
# veth links to a LIO target, lab/guest/iscsi.sh): the schedule also cuts a portal's link, drops its
# packets or disables its TPG, always leaving the other portal's session logged in and active in DM.
# Writes $LAB_OUT/soak-summary.md and soak-events.log.
. "$LAB_REPO/lab/guest/dm-paths.sh"
. "$LAB_REPO/lab/guest/tcm.sh"
. "$LAB_REPO/lab/guest/iscsi.sh"

soak_pi=2
soak_events=$LAB_OUT/soak-events.log
soak_summary=$LAB_OUT/soak-summary.md
declare -A soak_count=()
declare -A sd_state=()  # scsi_debug host number -> up | offline | deleted
sd_removed=0            # hosts taken away with add_host -1
tcm_bad=                # the tcm port (1, 2) in a bad ALUA state, or empty
soak_iscsi=${SOAK_ISCSI:-0}
is_map=
is_bad=                 # the iSCSI portal (1, 2) taken away, or empty
is_how=                 # how: link | blackhole | tpg
tcm_good_state=([1]=0 [2]=1)  # optimized, non-optimized

soak_t() { echo $(( (${EPOCHREALTIME/./} - soak_t0) / 1000000 )); }
soak_note() { echo "[$(soak_t) s] $*" | tee -a "$soak_events"; }
soak_did() { soak_count[$1]=$(( ${soak_count[$1]:-0} + 1 )); soak_note "$1 $2"; }
rnd() { r=$(( RANDOM % $1 )); }

soak_end() {
  [ -n "${fio_pid:-}" ] && kill -TERM "$fio_pid" 2>/dev/null
  [ -n "${udev_pid:-}" ] && kill -TERM "$udev_pid" 2>/dev/null
  daemon_kill
  [ -d /sys/module/scsi_debug ] && for h in "${!sd_state[@]}"; do
    [ -e /sys/bus/scsi/devices/"$h":0:0:0/state ] && echo running >/sys/bus/scsi/devices/"$h":0:0:0/state
  done
  udevadm settle -t 30
  for m in $(dmsetup ls --target multipath | awk '$1 != "No" { print $1 }'); do
    wait_until_sleep=0.5 wait_until 20 dmsetup remove "$m"
  done
  # iSCSI first: its backstore shares the rd_mcp_0 HBA that tcm_teardown removes last.
  if [ "$soak_iscsi" = 1 ]; then
    [ -n "$is_bad" ] && soak_iscsi_back
    iscsi_fabric_down
  fi
  [ -n "${lun:-}" ] && tcm_teardown
  [ -d /sys/module/scsi_debug ] && wait_until_sleep=0.5 wait_until 20 modprobe -r scsi_debug
}

soak_config() {
  mkdir -p /etc/multipath
  cat >/etc/multipath.conf <<CONF
defaults {
    path_grouping_policy group_by_prio
    prio alua
    detect_prio no
    failback immediate
    checker_timeout 5
    find_multipaths no
    user_friendly_names yes
    polling_interval $soak_pi
    no_path_retry 12
}
blacklist {
    device {
        vendor ".*"
        product ".*"
    }
}
blacklist_exceptions {
    device {
        vendor "Linux"
        product "scsi_debug"
    }
    device {
        vendor "LIO-ORG"
        product ".*"
    }
}
CONF
  cp /etc/multipath.conf "$LAB_OUT/multipath.conf-$LAB_CASE"
}

# The scsi_debug hosts present, by number. The soak's helpers read sysfs with builtins: under TCG with
# fio running every exec costs a lot, and the schedule must keep its pace.
sd_hosts() {
  local a
  local -a n=()
  for a in /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*; do [ -e "$a" ] && n[${a##*host}]=1; done
  echo "${!n[@]}"
}
sd_newest_host() { local -a h; read -ra h <<<"$(sd_hosts)"; echo "${h[-1]}"; }
sd_dir() { echo /sys/bus/scsi/devices/"$1":0:0:0; }
# sd_devt HOST: its disk's MAJ:MIN; fails when it has none (deleted).
sd_devt() {
  local f x
  for f in /sys/bus/scsi/devices/"$1":0:0:0/block/*/dev; do [ -e "$f" ] && read -r x <"$f" && echo "$x" && return 0; done
  return 1
}
sd_running() { local x; read -r x 2>/dev/null <"$(sd_dir "$1")"/state && [ "$x" = running ]; }
tcm_devt() {
  local addr f x
  read -r addr <"$t/loopback/naa.50014050000000a$1/tpgt_1/address" || [ -n "$addr" ] || return 1  # no newline
  for f in /sys/bus/scsi/devices/"$addr":0/block/*/dev; do [ -e "$f" ] && read -r x <"$f" && echo "$x" && return 0; done
  return 1
}

# MAP's paths as "MAJ:MIN A|F", one per line.
dm_states() {
  local -a w
  local i
  read -ra w <<<"$(dmsetup status "$1")"
  for ((i = 0; i + 1 < ${#w[@]}; i++)); do
    [[ ${w[i]} =~ ^[0-9]+:[0-9]+$ && ${w[i + 1]} =~ ^[AF]$ ]] && echo "${w[i]} ${w[i + 1]}"
  done
  return 0
}
dm_active() { local st; st=$(dm_states "$1") && [[ $'\n'$st$'\n' == *$'\n'"$2 A"$'\n'* ]]; }

# sd_usable HOST: true if a scsi_debug path other than HOST can do I/O and DM has it active.
sd_usable() {
  local h d st
  st=$(dm_states "$sd_map")
  for h in $(sd_hosts); do
    [ "$h" = "$1" ] || [ $((h % 3)) = 2 ] && continue
    sd_running "$h" || continue
    d=$(sd_devt "$h") && [[ $'\n'$st$'\n' == *$'\n'"$d A"$'\n'* ]] && return 0
  done
  return 1
}
# sd_model_usable HOST: the schedule's own view: another host that is up and not standby.
sd_model_usable() {
  local h
  for h in "${!sd_state[@]}"; do [ "$h" != "$1" ] && [ "${sd_state[$h]}" = up ] && [ $((h % 3)) != 2 ] && return 0; done
  return 1
}
# tcm_usable PORT: the other port is in a good ALUA state and active in DM.
tcm_usable() { local o=$((3 - $1)); [ "$tcm_bad" != "$o" ] && dm_active "$tcm_map" "$(tcm_devt $o)"; }

soak_wait_usable() {
  wait_until_sleep=0.2 wait_until 30 "$@" || fail "no usable path but the victim within 30 s ($*): $(soak_maps_status)"
}

sd_present() { sd_devt "$1" >/dev/null; }

# One take-away or bring-back, chosen from RANDOM. Bring-backs are chosen half the time when something
# is away, always when two things are.
soak_step() {
  local down=() h k victim
  for h in "${!sd_state[@]}"; do [ "${sd_state[$h]}" = up ] || down+=("sd:$h"); done
  for ((k = 0; k < sd_removed; k++)); do down+=(removed); done
  [ -n "$tcm_bad" ] && down+=("tcm:$tcm_bad")
  [ -n "$is_bad" ] && down+=("is:$is_bad")
  rnd 2
  if [ ${#down[@]} -ge 2 ] || { [ ${#down[@]} -gt 0 ] && [ $r = 0 ]; }; then
    mapfile -t down < <(printf '%s\n' "${down[@]}" | sort)
    rnd ${#down[@]}
    soak_bring_back "${down[$r]}"
    return
  fi
  rnd 10
  if [ $r -lt 3 ] && [ -z "$tcm_bad" ]; then soak_tcm_away; return; fi
  # Without iSCSI this draws nothing more: a seed's schedule stays what it was.
  if [ "$soak_iscsi" = 1 ] && [ $r -lt 5 ] && [ -z "$is_bad" ]; then soak_iscsi_away; return; fi
  local up=()
  mapfile -t up < <(for h in "${!sd_state[@]}"; do [ "${sd_state[$h]}" = up ] && echo "$h"; done | sort -n)
  local kind
  rnd 3; kind=$r
  case $kind in
    0|1)
      rnd ${#up[@]}
      victim=${up[$r]}
      sd_model_usable "$victim" || { soak_note "skip: $victim is the last usable scsi_debug path"; return; }
      wait_until 30 sd_present "$victim" || fail "scsi_debug host $victim has no disk within 30 s"
      soak_wait_usable sd_usable "$victim"
      if [ "$kind" = 0 ]; then
        echo offline >"$(sd_dir "$victim")"/state || fail "cannot offline host $victim"
        sd_state[$victim]=offline; soak_did offline "host$victim"
      else
        echo 1 >"$(sd_dir "$victim")"/delete || fail "cannot delete host $victim's disk"
        sd_state[$victim]=deleted; soak_did delete "host$victim"
      fi ;;
    2)
      # add_host -1 removes the newest host.
      victim=$(sd_newest_host)
      [ "${sd_state[$victim]:-}" = up ] || { soak_note "skip: newest host $victim is not up"; return; }
      sd_model_usable "$victim" || { soak_note "skip: $victim is the last usable scsi_debug path"; return; }
      wait_until 30 sd_present "$victim" || fail "scsi_debug host $victim has no disk within 30 s"
      soak_wait_usable sd_usable "$victim"
      echo -1 >/sys/bus/pseudo/drivers/scsi_debug/add_host || fail "add_host -1 failed"
      unset "sd_state[$victim]"; sd_removed=$((sd_removed + 1)); soak_did add_host-1 "host$victim" ;;
  esac
}

soak_tcm_away() {
  local port state name
  rnd 4
  case $r in
    0) state=2 name=standby ;;
    1) state=3 name=unavailable ;;
    *) state=15 name=transitioning ;;
  esac
  rnd 2; port=$((r + 1))
  # Transitioning only on the non-optimized port while the optimized one carries the I/O (see above).
  [ $state = 15 ] && port=2
  soak_wait_usable tcm_usable "$port"
  if [ $state = 15 ]; then
    wait_until_sleep=0.2 wait_until 30 tcm_current_is 1 || fail "tcm map's current group is not port 1's within 30 s: $(dmsetup status "$tcm_map")"
  fi
  echo $state >"$lun/alua/grp$port/alua_access_state" || fail "cannot set tcm port $port $name"
  tcm_bad=$port; soak_did "alua-$name" "port$port"
}
# tcm_current_is PORT: DM's current group of the tcm map holds PORT and PORT is active.
tcm_current_is() {
  local dev cur
  dev=$(tcm_devt "$1") || return 1
  cur=$(dmsetup status "$tcm_map" | awk '{ i = 4; i += $i + 1; i += $i + 1; print $(i + 1) }')
  "$labtool" groups "$tcm_map" 2>/dev/null | awk -v g="$cur" -v d="$dev" 'NR == g { for (i = 2; i <= NF; i++) if ($i == d) f = 1 } END { exit !f }' &&
    dm_active "$tcm_map" "$dev"
}

soak_bring_back() {
  local h before
  case $1 in
    sd:*)
      h=${1#sd:}
      case ${sd_state[$h]} in
        offline) echo running >"$(sd_dir "$h")"/state || fail "cannot set host $h running"; soak_did running "host$h" ;;
        deleted) echo '- - -' >/sys/class/scsi_host/host"$h"/scan || fail "cannot rescan host $h"; soak_did rescan "host$h" ;;
      esac
      sd_state[$h]=up ;;
    removed)
      before=$(sd_newest_host)
      echo 1 >/sys/bus/pseudo/drivers/scsi_debug/add_host || fail "add_host 1 failed"
      h=$(sd_newest_host)
      [ "$h" != "$before" ] || fail "add_host 1 made no new host"
      sd_state[$h]=up; sd_removed=$((sd_removed - 1)); soak_did add_host+1 "host$h" ;;
    is:*) soak_iscsi_back ;;
    tcm:*)
      h=${1#tcm:}
      echo "${tcm_good_state[$h]}" >"$lun/alua/grp$h/alua_access_state" || fail "cannot set tcm port $h back"
      tcm_bad=; soak_did alua-back "port$h" ;;
  esac
}

soak_restore_all() {
  local h
  for h in "${!sd_state[@]}"; do [ "${sd_state[$h]}" = up ] || soak_bring_back "sd:$h"; done
  while [ $sd_removed -gt 0 ]; do soak_bring_back removed; done
  [ -n "$tcm_bad" ] && soak_bring_back "tcm:$tcm_bad"
  [ -n "$is_bad" ] && soak_bring_back "is:$is_bad"
  # iscsid logs in again some seconds after a portal returns.
  wait_until_sleep=0.3 wait_until 90 soak_all_active || fail "not every path active within 90 s of the restore: $(soak_maps_status)"
}
soak_all_active() {
  soak_map_active "$sd_map" 4 && soak_map_active "$tcm_map" 2 && { [ "$soak_iscsi" != 1 ] || soak_map_active "$is_map" 2; }
}
# soak_map_active MAP N: MAP has N paths, all active.
soak_map_active() { local st; st=$(dm_states "$1") && [ "$(grep -c ' A$' <<<"$st")" = "$2" ] && [ "$(wc -l <<<"$st")" = "$2" ]; }
soak_maps_status() { local m; for m in "$sd_map" "$tcm_map" $is_map; do echo "$m: $(dmsetup status "$m");"; done; }

# "RSS_KB FDS" of the running daemon.
soak_sample() {
  local p
  p=$(daemon_pid)
  echo "$(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status) $(find /proc/"$p"/fd -mindepth 1 -maxdepth 1 | wc -l)"
}

# Sets sd_map (the map over the first scsi_debug host's disk), is_map (over portal 1's iSCSI disk, with
# SOAK_ISCSI=1) and tcm_map (the other one); true once each has all its paths active.
soak_maps_found() {
  local m d i=""
  sd_map="" tcm_map="" is_map=""
  local -a h
  read -ra h <<<"$(sd_hosts)"
  d=$(sd_devt "${h[0]}")
  [ "$soak_iscsi" = 1 ] && { i=$(is_devt 1) || return 1; }
  for m in $(dmsetup ls --target multipath | awk '$1 != "No" { print $1 }'); do
    if dm_states "$m" | grep -q "^$d "; then sd_map=$m
    elif [ -n "$i" ] && dm_states "$m" | grep -q "^$i "; then is_map=$m
    else tcm_map=$m; fi
  done
  [ -n "$sd_map" ] && [ -n "$tcm_map" ] && { [ "$soak_iscsi" != 1 ] || [ -n "$is_map" ]; } && soak_all_active
}

# is_devt PORTAL: MAJ:MIN of the disk behind the session through PORTAL (builtins only, as above).
is_devt() {
  local c a f x
  for c in /sys/class/iscsi_connection/connection*; do
    read -r a 2>/dev/null <"$c/persistent_address" && [ "$a" = "10.77.$1.1" ] || continue
    a=${c##*/connection}
    for f in /sys/class/iscsi_session/session"${a%%:*}"/device/target*/*:*:*:*/block/*/dev; do
      [ -e "$f" ] && read -r x <"$f" && echo "$x" && return 0
    done
  done
  return 1
}
# is_usable PORTAL: the other portal's session is logged in and its path active in DM.
is_usable() {
  local o=$((3 - $1)) s d
  d=$(is_devt $o) && s=$(iscsi_session $o) && read -r s <"/sys/class/iscsi_session/$s/state" && [ "$s" = LOGGED_IN ] &&
    dm_active "$is_map" "$d"
}
soak_iscsi_away() {
  local port how
  rnd 2; port=$((r + 1))
  rnd 3
  case $r in
    0) how="link" ;;
    1) how=blackhole ;;
    *) how=tpg ;;
  esac
  soak_wait_usable is_usable "$port"
  case $how in
    link) iscsi_link "$port" down ;;
    blackhole) iscsi_blackhole "$port" on ;;
    tpg) iscsi_tpg "$port" 0 ;;
  esac
  is_bad=$port is_how=$how; soak_did "iscsi-$how-off" "portal$port"
}
soak_iscsi_back() {
  case $is_how in
    link) iscsi_link "$is_bad" up ;;
    blackhole) iscsi_blackhole "$is_bad" off ;;
    tpg) iscsi_tpg "$is_bad" 1 ;;
  esac
  soak_did "iscsi-$is_how-on" "portal$is_bad"; is_bad="" is_how=""
}

soak_setup() {
  daemon_kill
  for m in $(dmsetup ls --target multipath | awk '$1 != "No" { print $1 }'); do dmsetup remove "$m"; done
  [ -d /sys/module/scsi_debug ] && must modprobe -r scsi_debug
  soak_config
  must modprobe dm_multipath
  must modprobe scsi_dh_alua
  must modprobe scsi_debug add_host=4 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=64 ptype=0
  tcm_setup
  if [ "$soak_iscsi" = 1 ]; then
    iscsi_fabric_up 2
    iscsi_login
  fi
  local i
  for i in 1 2; do echo 1 >"$lun/alua/grp$i/alua_access_type" || fail "cannot make tcm group $i implicit-only"; done
  for i in 1 2; do echo "${tcm_good_state[$i]}" >"$lun/alua/grp$i/alua_access_state" || fail "cannot set tcm group $i"; done
  must udevadm settle --timeout=60
  for i in $(sd_hosts); do sd_state[$i]=up; done
  [ ${#sd_state[@]} = 4 ] || fail "expected 4 scsi_debug hosts, got $(sd_hosts)"
  daemon_ready_timeout=90 daemon_start
  wait_until_sleep=0.3 wait_until 60 soak_maps_found || fail "no scsi_debug map with 4, tcm map (and iSCSI map) with 2 active paths within 60 s: $(dmsetup status)"
  udevadm settle --timeout=30
  wait_file /dev/mapper/"$sd_map" 20 && wait_file /dev/mapper/"$tcm_map" 20 || fail "no /dev/mapper nodes"
  [ "$soak_iscsi" != 1 ] || wait_file /dev/mapper/"$is_map" 20 || fail "no /dev/mapper node for the iSCSI map"
}

soak_fio_start() {
  # shellcheck disable=SC2154  # lab_state: set by lab/guest/lib.sh
  local seconds=$1 job=$lab_state/soak.fio
  cat >"$job" <<FIO
[global]
ioengine=libaio
direct=1
iodepth=4
bs=8k
time_based
runtime=$seconds
randseed=$soak_seed
verify=crc32c
verify_backlog=64
verify_fatal=1
verify_state_save=0

[sd-write-1]
filename=/dev/mapper/$sd_map
rw=randwrite
rate_iops=60
offset=0
size=24m

[sd-write-2]
filename=/dev/mapper/$sd_map
rw=randwrite
rate_iops=60
offset=24m
size=24m

[sd-read]
filename=/dev/mapper/$sd_map
rw=randread
rate_iops=100
verify=0

[tcm-write]
filename=/dev/mapper/$tcm_map
rw=randwrite
rate_iops=60
size=3m
$( [ "$soak_iscsi" = 1 ] && printf '%s\n' "" "[is-write]" "filename=/dev/mapper/$is_map" "rw=randwrite" "rate_iops=60" "size=8m" \
  "" "[is-read]" "filename=/dev/mapper/$is_map" "rw=randread" "rate_iops=100" "verify=0" )

[tcm-read]
filename=/dev/mapper/$tcm_map
rw=randread
rate_iops=100
verify=0
FIO
  (cd "$lab_state" && exec fio --output-format=json --output="$LAB_OUT/soak-fio.json" "$job" >"$LAB_OUT/soak-fio.out" 2>&1) &
  fio_pid=$!
}

soak_run() {
  local seconds=$1 seed=$2 kill_at base="" end="" next stop
  soak_seed=$seed
  RANDOM=$seed
  # Every failure names the seed that reproduces it.
  eval "$(declare -f fail | sed '1s/^fail/lab_fail/')"
  fail() { lab_fail "seed $soak_seed: $*"; }
  : >"$soak_events"
  trap soak_end EXIT
  soak_setup
  soak_t0=${EPOCHREALTIME/./}
  soak_note "seed $seed, $seconds s; maps $sd_map (scsi_debug hosts $(sd_hosts)) and $tcm_map (tcm_loop)"
  soak_fio_start "$seconds"
  rnd 15; kill_at=$((20 + r))
  stop=$((seconds - 20))
  while [ "$(soak_t)" -lt "$stop" ]; do
    pid_gone "$fio_pid" && fail "fio ended early: $(tail -n 5 "$LAB_OUT/soak-fio.out" | tr '\n' ' ')"
    if [ -n "$kill_at" ] && [ "$(soak_t)" -ge "$kill_at" ]; then soak_kill; kill_at=; fi
    if [ -z "$base" ] && [ "$(soak_t)" -ge 60 ]; then
      soak_restore_all
      base=$(soak_sample); soak_note "sample after the first minute: RSS ${base% *} kB, ${base#* } fds"
    fi
    soak_step
    rnd 3000; next=$((1000 + r))
    sleep "$((next / 1000)).$(printf %03d $((next % 1000)))"
  done
  soak_restore_all
  [ -n "$base" ] || fail "the soak ended before its first-minute sample ($seconds s)"
  end=$(soak_sample); soak_note "sample at the end: RSS ${end% *} kB, ${end#* } fds"
  wait_until_sleep=1 wait_until 120 pid_gone "$fio_pid" || fail "fio did not end within 120 s of its runtime"
  wait "$fio_pid"; local fio_status=$?
  fio_pid=
  soak_report "$seconds" "$seed" "$base" "$end" "$fio_status"
}

sd_failed() { local d st; d=$(sd_devt "$1") && st=$(dm_states "$sd_map") && [[ $'\n'$st$'\n' == *$'\n'"$d F"$'\n'* ]]; }
# soak_pick_victim EXCEPT: sets victim to an up host (not EXCEPT) whose loss leaves a usable path, from
# RANDOM; empty if none.
soak_pick_victim() {
  local up=() i h
  mapfile -t up < <(for h in "${!sd_state[@]}"; do [ "${sd_state[$h]}" = up ] && [ "$h" != "$1" ] && echo "$h"; done | sort -n)
  victim=
  [ ${#up[@]} -gt 0 ] || return 0
  rnd ${#up[@]}
  for ((i = 0; i < ${#up[@]}; i++)); do
    h=${up[$(((r + i) % ${#up[@]}))]}
    sd_model_usable "$h" && sd_present "$h" && sd_usable "$h" && { victim=$h; return 0; }
  done
}
# Every path's DM state is what sysfs says: scsi_debug running -> A, offline -> F; both tcm ports (and
# both iSCSI portals) A.
soak_dm_right() {
  local h d st want
  st=$(dm_states "$sd_map")
  for h in $(sd_hosts); do
    d=$(sd_devt "$h") || continue  # deleted: not in sysfs, nothing to compare
    want=A; sd_running "$h" || want=F
    [[ $'\n'$st$'\n' == *$'\n'"$d $want"$'\n'* ]] || return 1
  done
  soak_map_active "$tcm_map" 2 && { [ "$soak_iscsi" != 1 ] || soak_map_active "$is_map" 2; }
}
# The scsi_debug map has one group per ALUA state of its hosts (host number mod 3), the tcm map two.
soak_tables_settled() {
  local h
  local -A want=()
  for h in $(sd_hosts); do sd_present "$h" && want[$((h % 3))]=1; done
  [ "$(soak_groups "$sd_map")" = ${#want[@]} ] && [ "$(soak_groups "$tcm_map")" = 2 ]
}
soak_groups() { dmsetup table "$1" | awk '{ i = 4; i += $i + 1; i += $i + 1; print $i }'; }
udev_listening() { grep -q 'KERNEL - the kernel uevent' "$LAB_OUT/soak-uevents.log" 2>/dev/null; }

# kill -9 during an active fault (a scsi_debug path offline and failed in DM); while the daemon is dead
# that path comes back and another goes offline; then the daemon starts again and must adopt both maps
# as they are and put every path's DM state right.
soak_kill() {
  local fault="" other h m pid t_kill t_start t_ready t_right resumes path_events
  local -A table_before=() events_before=() dmdev=()
  # From settled maps: a table the daemon grouped while a prioritizer failed (a path going offline
  # between its check and its priority: -1, a group of its own, as 0.9.4) is regrouped once the
  # priority is known again, restart or not; that reload would not be adoption's. The fault may race a
  # priority in the same way: then again, at most 3 times.
  local attempt
  for attempt in 1 2 3; do
    soak_restore_all
    wait_until_sleep=0.3 wait_until 60 soak_tables_settled || fail "kill -9: tables not grouped by ALUA state within 60 s: $(dmsetup table "$sd_map")"
    soak_pick_victim ""
    fault=$victim
    [ -n "$fault" ] || fail "kill -9: no scsi_debug path can go offline"
    echo offline >"$(sd_dir "$fault")"/state || fail "cannot offline host $fault"
    sd_state[$fault]=offline; soak_did offline "host$fault"
    wait_until_sleep=0.2 wait_until 30 sd_failed "$fault" || fail "kill -9: host $fault offline but not failed in DM within 30 s"
    soak_tables_settled && break
    soak_note "kill -9: host$fault's priority raced its fault (table regrouped): again"
    [ $attempt = 3 ] && fail "kill -9: no settled table with a fault in 3 attempts: $(dmsetup table "$sd_map")"
  done
  for m in "$sd_map" "$tcm_map" $is_map; do
    table_before[$m]=$(dmsetup table "$m")
    events_before[$m]=$(dmsetup info -c --noheadings -o events "$m" | tr -d ' ')
    dmdev[$m]=$(dmsetup info -c --noheadings -o blkdevname "$m" | tr -d ' ')
  done
  udevadm monitor --kernel --property --subsystem-match=block >"$LAB_OUT/soak-uevents.log" 2>&1 &
  udev_pid=$!
  wait_until 10 udev_listening || fail "udevadm monitor did not start"
  pid=$(daemon_pid)
  t_kill=$EPOCHREALTIME
  kill -KILL "$pid"
  wait_until 10 daemon_exited || fail "the daemon survived kill -9"
  soak_did kill-9 "daemon pid $pid, host$fault offline"
  echo running >"$(sd_dir "$fault")"/state || fail "cannot set host $fault running"
  sd_state[$fault]=up; soak_did running "host$fault (daemon dead)"
  soak_pick_victim "$fault"
  other=$victim
  if [ -n "$other" ]; then
    echo offline >"$(sd_dir "$other")"/state || fail "cannot offline host $other"
    sd_state[$other]=offline; soak_did offline "host$other (daemon dead)"
    # Under I/O the kernel fails it itself; a path of an idle group stays active in DM: both are fine.
    wait_until_sleep=0.2 wait_until 3 sd_failed "$other"
  fi
  soak_note "daemon dead; DM now: $(dmsetup status "$sd_map")"
  t_start=$EPOCHREALTIME
  # Generous: the host may be loaded (TCG, other work); the figure is reported.
  daemon_ready_timeout=90 daemon_start
  t_ready=$EPOCHREALTIME
  wait_until_sleep=0.05 wait_until 30 soak_dm_right || fail "after the restart, DM path states do not match sysfs within 30 s: $(dmsetup status "$sd_map")"
  t_right=$EPOCHREALTIME
  kill -TERM "$udev_pid"; wait "$udev_pid" 2>/dev/null; udev_pid=
  # Timed from the kernel's side: one pass of soak_dm_right forks a dozen processes, seconds on a loaded
  # TCG host. DM has been right since the later of the daemon's "ready" and the last path uevent of
  # either map after the daemon started (the log and udevadm both stamp CLOCK_MONOTONIC).
  local k_start k_ready right_ms
  k_start=$(log_since_mark | awk '/ starting$/ { print $1; exit }')
  k_ready=$(log_since_mark | awk '/ multipathd ready$/ { print $1; exit }')
  [ -n "$k_start" ] && [ -n "$k_ready" ] || fail "kill -9: no 'starting' or 'multipathd ready' line in the new daemon's log"
  local devs
  devs=$(printf '%s|' "${dmdev[@]}")
  right_ms=$(awk -v devs="/(${devs%|})$" -v from="$k_start" -v ready="$k_ready" '
    BEGIN { RS = ""; last = 0 }
    /^KERNEL/ && /DM_ACTION=/ && $3 ~ devs {
      t = $1; gsub(/^KERNEL\[|\]$/, "", t)
      if (t + 0 >= from + 0 && t + 0 > last) last = t + 0
    }
    END { d = (last - ready) * 1000; printf "%d", (d > 0 ? d : 0) }' "$LAB_OUT/soak-uevents.log")
  soak_did restart "dead $(ms_between "$t_kill" "$t_start") ms; start to ready $(ms_between "$t_start" "$t_ready") ms, ready to DM right $right_ms ms (the script saw it $(ms_between "$t_ready" "$t_right") ms after ready)"
  for m in "$sd_map" "$tcm_map" $is_map; do
    # A table load shows as the kernel's change uevent of the map's dm device at its resume: without
    # DM_ACTION (path failures and reinstatements carry DM_ACTION=PATH_FAILED/PATH_REINSTATED) and not
    # synthetic (SYNTH_UUID: udev's watch after fio closes the device it wrote, at each pass).
    resumes=$(awk -v dev="/${dmdev[$m]}" 'BEGIN { RS = "" } /^KERNEL/ && $2 == "change" && $3 ~ dev "$" && !/DM_ACTION=/ && !/SYNTH_UUID=/ { n++ } END { print n + 0 }' "$LAB_OUT/soak-uevents.log")
    path_events=$(awk -v dev="/${dmdev[$m]}" 'BEGIN { RS = "" } /^KERNEL/ && $2 == "change" && $3 ~ dev "$" && /DM_ACTION=/ { n++ } END { print n + 0 }' "$LAB_OUT/soak-uevents.log")
    soak_note "$m (${dmdev[$m]}): event_nr ${events_before[$m]} -> $(dmsetup info -c --noheadings -o events "$m" | tr -d ' '), $path_events path uevents, $resumes table-load uevents; features: $(dmsetup table "$m" | cut -d' ' -f4-6)"
    [ "$resumes" = 0 ] || fail "kill -9: $m was reloaded at adoption ($resumes change uevents without DM_ACTION)"
    [ "$(dmsetup table "$m")" = "${table_before[$m]}" ] || fail "kill -9: $m's table changed: ${table_before[$m]} -> $(dmsetup table "$m")"
    dmsetup table "$m" | grep -q queue_if_no_path || fail "kill -9: $m lost queue_if_no_path (no_path_retry 12): $(dmsetup table "$m")"
    log_has "$m: adopted \(" 1 || fail "kill -9: no 'adopted' line for $m"
  done
  ! log_has ': reload ' 1 || fail "kill -9: a reload after the restart: $(log_since_mark | grep ': reload ' | head -n 2 | tr '\n' ' ')"
  [ "$right_ms" -le $((soak_pi * 1000)) ] ||
    fail "kill -9: DM path states right $right_ms ms after ready (polling_interval $soak_pi s)"
  kill_summary="kill -9 at $(soak_t) s with host$fault offline; dead $(ms_between "$t_kill" "$t_start") ms (host$fault back, ${other:+host$other offline}); restart to ready $(ms_between "$t_start" "$t_ready") ms, ready to every DM path state right $right_ms ms by the kernel's uevents (polling_interval $soak_pi s); every map adopted: 0 table loads, tables unchanged, queue_if_no_path kept"
}

# pct A B: B's change from A in percent, one decimal.
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }'; }
within5() { awk -v a="$1" -v b="$2" 'BEGIN { d = b - a; if (d < 0) d = -d; exit !(d * 100 <= 5 * a) }'; }

soak_report() {
  local seconds=$1 seed=$2 base=$3 end=$4 fio_status=$5 json=$LAB_OUT/soak-fio.json k errs kinds=
  for k in $(printf '%s\n' "${!soak_count[@]}" | sort); do kinds="$kinds $k ${soak_count[$k]},"; done
  errs=$(jq '[.jobs[] | .error + (.total_err // 0)] | add' "$json" 2>/dev/null)
  {
    echo "# Soak: $seconds s, seed $seed"
    echo
    echo "- kernel $(uname -r), daemon $(basename "$LAB_BIN") ($LAB_BIN), $(date -u +%Y-%m-%d)"
    echo "- maps: $sd_map (scsi_debug, 4 paths, 64 MB), $tcm_map (tcm_loop, 2 ALUA ports, 4 MB)${is_map:+, $is_map (iSCSI, 2 portals on veth links, 64 MB)}; polling_interval $soak_pi, no_path_retry 12, failback immediate"
    echo "- events applied:${kinds%,}"
    # A writer's reads are its verification reads (fio's own read IOPS for those are not per second).
    echo "- fio (exit status $fio_status; 8 KiB direct I/O, writers verify with crc32c): $(jq -r '[.jobs[] | "\(.jobname) wrote \(.write.io_bytes / 1048576 | floor) MiB, read \(.read.io_bytes / 1048576 | floor) MiB, \((.read.total_ios + .write.total_ios) / .elapsed | floor) IO/s, error \(.error)"] | join("; ")' "$json")"
    echo "- fio totals: $(jq -r '"wrote \([.jobs[].write.io_bytes] | add / 1048576 | floor) MiB, read \([.jobs[].read.io_bytes] | add / 1048576 | floor) MiB, \([.jobs[] | .read.total_ios + .write.total_ios] | add) I/Os"' "$json")"
    echo "- fio errors (I/O and verification, all jobs): ${errs:-unknown}"
    echo "- daemon after the first minute: RSS ${base% *} kB, ${base#* } fds; at the end: RSS ${end% *} kB ($(pct "${base% *}" "${end% *}") %), ${end#* } fds ($(pct "${base#* }" "${end#* }") %)"
    echo "- ${kill_summary:-no kill -9}"
  } | tee "$soak_summary"
  [ "$fio_status" = 0 ] && [ "$errs" = 0 ] || fail "fio saw errors (status $fio_status, errors ${errs:-unknown}): $(grep -iE 'err|verify' "$LAB_OUT/soak-fio.out" | head -n 3 | tr '\n' ' ')"
  within5 "${base% *}" "${end% *}" || fail "daemon RSS ${base% *} kB after the first minute, ${end% *} kB at the end (over 5%)"
  within5 "${base#* }" "${end#* }" || fail "daemon fds ${base#* } after the first minute, ${end#* } at the end (over 5%)"
}
