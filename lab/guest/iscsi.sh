# A real iSCSI fabric in the guest (sourced by a case after lib.sh and scenario.sh): one LIO target in
# the network namespace $iscsi_ns, joined to the VM by one veth link per portal; portal N is
# 10.77.N.1 (target side) <-> 10.77.N.2 (ours), each in its own target portal group (TPG N), all TPGs
# exporting the same rd_mcp ramdisk LUN with a fixed unit serial, so that one LUN is seen through one
# session per portal. Demo mode: generated ACLs, no authentication.
#
#   iscsi_fabric_up [NPORTALS=2]   target, links, iscsid (multipath-deployment timeouts: replacement_timeout
#                                  15, NOP-out every 2 s with a 2 s timeout, login_timeout 5), discovery
#   iscsi_fabric_down              logs out, stops iscsid, removes the target, the links and the namespace
#   iscsi_login / iscsi_logout     one session per portal (waits for each LUN's disk) / none
#   iscsi_disks                    the sessions' disks (sdX), one per line, by portal
#   iscsi_session PORTAL           the session (sessionN) logged in through portal PORTAL (1, 2...)
#   iscsi_when_state SESSION STATE FILE   see below
#   iscsi_link PORTAL up|down      the portal's veth link, as a cable pulled or plugged
#   iscsi_blackhole PORTAL on|off  packets to the portal silently vanish (a blackhole route; link stays up)
#   iscsi_tpg PORTAL 0|1           disables or enables the portal's TPG on the target
#   iscsi_config [KEY VALUE]...    /etc/multipath.conf: the lab defaults plus KEY VALUE pairs, the
#                                  overrides section's pairs from $iscsi_overrides (the LIO-ORG hardware
#                                  entry sets no_path_retry 12, over the defaults), only LIO disks not
#                                  blacklisted

# shellcheck disable=SC2154  # lab_state: set by lab/guest/lib.sh, which the runner sources first
iscsi_ns=labtgt
iscsi_iqn=iqn.2026-12.org.swift-multipathd:lab-target
iscsi_backstore=/sys/kernel/config/target/core/rd_mcp_0/lab
iscsi_target=/sys/kernel/config/target/iscsi/$iscsi_iqn
iscsi_portals=0

iscsi_fabric_up() {
  iscsi_portals=${1:-2}
  local n tpg
  must modprobe target_core_mod
  must modprobe iscsi_target_mod
  must modprobe iscsi_tcp
  must modprobe dm_multipath
  must modprobe scsi_dh_alua
  mountpoint -q /sys/kernel/config || must mount -t configfs configfs /sys/kernel/config
  must ip netns add "$iscsi_ns"
  must ip -n "$iscsi_ns" link set lo up
  for n in $(seq "$iscsi_portals"); do
    must ip link add "ini$n" type veth peer name "tgt$n" netns "$iscsi_ns"
    must ip addr add "10.77.$n.2/24" dev "ini$n"
    must ip link set "ini$n" up
    must ip -n "$iscsi_ns" addr add "10.77.$n.1/24" dev "tgt$n"
    must ip -n "$iscsi_ns" link set "tgt$n" up
  done
  # 64 MiB of ramdisk (4 KiB pages); without a unit serial there is no VPD 0x83, hence no WWID.
  must mkdir -p "$iscsi_backstore"
  echo rd_pages=16384 >"$iscsi_backstore/control" || fail "rd_mcp: rd_pages refused"
  echo 1 >"$iscsi_backstore/enable" || fail "rd_mcp: enable refused"
  echo 5a1f7e00-1abc-4d00-9000-000000000015 >"$iscsi_backstore/wwn/vpd_unit_serial" || fail "rd_mcp: vpd_unit_serial refused"
  for n in $(seq "$iscsi_portals"); do
    tpg=$iscsi_target/tpgt_$n
    must mkdir -p "$tpg/lun/lun_0"
    must ln -s "$iscsi_backstore" "$tpg/lun/lun_0/lab"
    # LIO listens in the namespace of the process that creates the portal.
    must nsenter --net="/run/netns/$iscsi_ns" mkdir "$tpg/np/10.77.$n.1:3260"
    echo 1 >"$tpg/attrib/generate_node_acls" && echo 1 >"$tpg/attrib/cache_dynamic_acls" &&
      echo 0 >"$tpg/attrib/demo_mode_write_protect" && echo 0 >"$tpg/attrib/authentication" ||
      fail "TPG $n: demo mode refused"
    echo 1 >"$tpg/enable" || fail "TPG $n: enable refused"
  done
  iscsi_initiator_up
}

iscsi_initiator_up() {
  local n
  mkdir -p /etc/iscsi /run/lock/iscsi /var/lib/iscsi
  echo "InitiatorName=iqn.2026-12.org.swift-multipathd:lab-initiator" >/etc/iscsi/initiatorname.iscsi
  cat >/etc/iscsi/iscsid.conf <<'C'
node.startup = manual
node.session.timeo.replacement_timeout = 15
node.conn[0].timeo.noop_out_interval = 2
node.conn[0].timeo.noop_out_timeout = 2
node.conn[0].timeo.login_timeout = 5
node.session.initial_login_retry_max = 2
C
  # iscsid's SIGTERM handler signals its whole process group: give it a group of its own.
  setsid iscsid -f >>"$LAB_OUT/iscsid-$LAB_CASE.log" 2>&1 </dev/null &
  echo $! >"$lab_state/iscsid.pid"
  wait_until 10 iscsi_discover || fail "SendTargets discovery failed: $(iscsiadm -m discovery -t st -p 10.77.1.1 2>&1 | tail -n 2 | tr '\n' ' ')"
  n=$(iscsiadm -m node 2>/dev/null | grep -c "$iscsi_iqn")
  [ "$n" = "$iscsi_portals" ] || fail "discovery found $n portals, not $iscsi_portals"
}
iscsi_discover() { iscsiadm -m discovery -t st -p 10.77.1.1 >/dev/null 2>&1; }

iscsi_fabric_down() {
  local n tpg p
  iscsi_logout
  p=$(cat "$lab_state/iscsid.pid" 2>/dev/null) && kill -TERM "$p" 2>/dev/null && wait_until 10 pid_gone "$p"
  for n in $(seq "$iscsi_portals"); do
    tpg=$iscsi_target/tpgt_$n
    [ -d "$tpg" ] || continue
    echo 0 >"$tpg/enable" 2>/dev/null
    rmdir "$tpg/np/"* 2>/dev/null
    rm -f "$tpg/lun/lun_0/lab"
    rmdir "$tpg/lun/lun_0" "$tpg"
  done
  [ -d "$iscsi_target" ] && rmdir "$iscsi_target"
  [ -d "$iscsi_backstore" ] && rmdir "$iscsi_backstore"
  ip netns del "$iscsi_ns" 2>/dev/null
  true
}

iscsi_login() {
  local n
  for n in $(seq "$iscsi_portals"); do
    must iscsiadm -m node -T "$iscsi_iqn" -p "10.77.$n.1" --login
  done
  wait_until 30 iscsi_all_disks || fail "not $iscsi_portals iSCSI disks 30 s after login: $(iscsi_disks | tr '\n' ' ')"
  must udevadm settle --timeout=60
}
iscsi_all_disks() { [ "$(iscsi_disks | wc -l)" = "$iscsi_portals" ]; }

iscsi_logout() {
  iscsiadm -m node -T "$iscsi_iqn" --logout >/dev/null 2>&1
  wait_until 30 iscsi_no_session || fail "iSCSI sessions left after logout: $(ls /sys/class/iscsi_session)"
  udevadm settle --timeout=30
}
iscsi_no_session() { [ -z "$(ls /sys/class/iscsi_session 2>/dev/null)" ]; }

# The session whose connection goes to portal N's address.
iscsi_session() {
  local c s
  for c in /sys/class/iscsi_connection/connection*; do
    [ "$(cat "$c/persistent_address" 2>/dev/null)" = "10.77.$1.1" ] || continue
    s=${c##*/connection}
    echo "session${s%%:*}"
    return 0
  done
  return 1
}

iscsi_disks() {
  local n s d
  for n in $(seq "$iscsi_portals"); do
    s=$(iscsi_session "$n") || continue
    for d in /sys/class/iscsi_session/"$s"/device/target*/*:*:*:*/block/*; do [ -e "$d" ] && basename "$d"; done
  done
}

# iscsi_when_state SESSION STATE FILE: writes $EPOCHREALTIME to FILE once SESSION's state is STATE.
iscsi_when_state() { when_attr "/sys/class/iscsi_session/$1/state" "$2" "$3"; }

iscsi_link() { must ip link set "ini$1" "$2"; }
iscsi_blackhole() {
  if [ "$2" = on ]; then must ip route add blackhole "10.77.$1.1/32"; else must ip route del blackhole "10.77.$1.1/32"; fi
}
iscsi_tpg() { echo "$2" >"$iscsi_target/tpgt_$1/enable" || fail "TPG $1: enable=$2 refused"; }

iscsi_config() {
  scenario_overrides=${iscsi_overrides:-} scenario_disks_vendor=LIO-ORG scenario_disks_product=".*" scenario_config "$@"
}
