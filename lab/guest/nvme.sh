# A real NVMe/TCP fabric in the guest (sourced by a case after lib.sh and scenario.sh): one nvmet
# subsystem in the network namespace $nvme_ns, one namespace on a 64 MiB brd ramdisk with a fixed UUID,
# exported on one nvmet-tcp port per veth link: port N is 10.78.N.1:4420 (target side) <-> 10.78.N.2
# (host side). The guest boots with nvme_core.multipath=N (lab/vm.sh), so each connection's namespace is
# a block device of its own (nvmeXnY), a path for dm-multipath. Any host may connect (no ACLs).
#
#   nvme_fabric_up [NPORTS=2]      target, links, modules
#   nvme_fabric_down               disconnects, removes the target, the links and the namespace
#   nvme_connect / nvme_disconnect one controller per port (keep-alive 5 s, reconnect every 1 s: a
#                                  multipath deployment's settings; waits for each namespace) / none
#   nvme_disks                     the connected namespaces (nvmeXnY), one per line, by port
#   nvme_ctrl PORT                 the controller (nvmeX) connected through port PORT (1, 2...)
#   nvme_when_state CTRL STATE FILE  writes $EPOCHREALTIME to FILE once CTRL's state is STATE (at most 90 s)
#   nvme_link PORT up|down         the port's veth link, as a cable pulled or plugged
#   nvme_ana PORT STATE            the namespace's ANA state through port PORT (ANA group 1): optimized,
#                                  non-optimized, inaccessible, persistent-loss or change; nvmet sends
#                                  the connected controller an ANA change event
#   nvme_dev PORT                  the major:minor of the namespace connected through port PORT
#   nvme_config [KEY VALUE]...     /etc/multipath.conf: the lab defaults plus KEY VALUE pairs, the overrides
#                                  section's pairs from $nvme_overrides, only NVMe namespaces not blacklisted

# shellcheck disable=SC2154  # lab_state: set by lab/guest/lib.sh, which the runner sources first
nvme_ns=labnvme
nvme_nqn=nqn.2026-12.org.swift-multipathd:lab-nvme
nvme_uuid=5a1f7e00-1abc-4d00-9000-000000000058
nvme_cfs=/sys/kernel/config/nvmet
nvme_ports=0

nvme_fabric_up() {
  nvme_ports=${1:-2}
  local n sub=$nvme_cfs/subsystems/$nvme_nqn
  must modprobe brd rd_nr=1 rd_size=65536
  must modprobe nvmet
  must modprobe nvmet-tcp
  must modprobe nvme-tcp
  [ "$(cat /sys/module/nvme_core/parameters/multipath)" = N ] ||
    fail "nvme_core.multipath is not N: NVMe paths would be hidden under native multipath (lab/vm.sh)"
  must modprobe dm_multipath
  mountpoint -q /sys/kernel/config || must mount -t configfs configfs /sys/kernel/config
  must ip netns add "$nvme_ns"
  must ip -n "$nvme_ns" link set lo up
  for n in $(seq "$nvme_ports"); do
    must ip link add "nini$n" type veth peer name "ntgt$n" netns "$nvme_ns"
    must ip addr add "10.78.$n.2/24" dev "nini$n"
    must ip link set "nini$n" up
    must ip -n "$nvme_ns" addr add "10.78.$n.1/24" dev "ntgt$n"
    must ip -n "$nvme_ns" link set "ntgt$n" up
  done
  must mkdir "$sub"
  echo 1 >"$sub/attr_allow_any_host" || fail "nvmet: allow_any_host refused"
  must mkdir "$sub/namespaces/1"
  echo -n /dev/ram0 >"$sub/namespaces/1/device_path" && echo "$nvme_uuid" >"$sub/namespaces/1/device_uuid" &&
    echo 1 >"$sub/namespaces/1/enable" || fail "nvmet: namespace 1 refused"
  for n in $(seq "$nvme_ports"); do
    must mkdir "$nvme_cfs/ports/$n"
    echo tcp >"$nvme_cfs/ports/$n/addr_trtype" && echo ipv4 >"$nvme_cfs/ports/$n/addr_adrfam" &&
      echo "10.78.$n.1" >"$nvme_cfs/ports/$n/addr_traddr" && echo 4420 >"$nvme_cfs/ports/$n/addr_trsvcid" ||
      fail "nvmet: port $n refused"
    # nvmet-tcp listens in the network namespace of the process that enables the port (the link).
    must nsenter --net="/run/netns/$nvme_ns" ln -s "$sub" "$nvme_cfs/ports/$n/subsystems/$nvme_nqn"
  done
}

nvme_fabric_down() {
  local n
  nvme_disconnect
  for n in $(seq "$nvme_ports"); do
    rm -f "$nvme_cfs/ports/$n/subsystems/$nvme_nqn"
    [ -d "$nvme_cfs/ports/$n" ] && rmdir "$nvme_cfs/ports/$n"
  done
  if [ -d "$nvme_cfs/subsystems/$nvme_nqn" ]; then
    echo 0 >"$nvme_cfs/subsystems/$nvme_nqn/namespaces/1/enable"
    rmdir "$nvme_cfs/subsystems/$nvme_nqn/namespaces/1" "$nvme_cfs/subsystems/$nvme_nqn"
  fi
  ip netns del "$nvme_ns" 2>/dev/null
  modprobe -r brd 2>/dev/null
  true
}

nvme_connect() {
  local n
  for n in $(seq "$nvme_ports"); do
    must nvme connect -t tcp -a "10.78.$n.1" -s 4420 -n "$nvme_nqn" --keep-alive-tmo=5 --reconnect-delay=1
  done
  wait_until 30 nvme_all_disks || fail "not $nvme_ports NVMe namespaces 30 s after connecting: $(nvme_disks | tr '\n' ' ')"
  must udevadm settle --timeout=60
}
nvme_all_disks() { [ "$(nvme_disks | wc -l)" = "$nvme_ports" ]; }

nvme_disconnect() {
  nvme disconnect -n "$nvme_nqn" >/dev/null 2>&1
  wait_until 30 nvme_no_ctrl || fail "NVMe controllers left after disconnect: $(ls /sys/class/nvme)"
  udevadm settle --timeout=30
}
nvme_no_ctrl() { [ -z "$(nvme_ctrls)" ]; }
nvme_ctrls() { grep -lx "$nvme_nqn" /sys/class/nvme/nvme*/subsysnqn 2>/dev/null; }

# The controller whose address is port N's.
nvme_ctrl() {
  local c
  for c in /sys/class/nvme/nvme*; do
    [ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$nvme_nqn" ] || continue
    case $(cat "$c/address" 2>/dev/null) in *"traddr=10.78.$1.1,"*) basename "$c"; return 0 ;; esac
  done
  return 1
}

nvme_disks() {
  local n c d
  for n in $(seq "$nvme_ports"); do
    c=$(nvme_ctrl "$n") || continue
    for d in /sys/class/nvme/"$c"/"$c"n*; do [ -e "$d/dev" ] && basename "$d"; done
  done
}

nvme_when_state() { when_attr "/sys/class/nvme/$1/state" "$2" "$3"; }

nvme_link() { must ip link set "nini$1" "$2"; }

nvme_ana() { echo "$2" >"$nvme_cfs/ports/$1/ana_groups/1/ana_state" || fail "nvmet: port $1 refused ANA state $2"; }

nvme_dev() {
  local c d
  c=$(nvme_ctrl "$1") || return 1
  for d in /sys/class/nvme/"$c"/"$c"n*; do [ -e "$d/dev" ] && cat "$d/dev" && return 0; done
  return 1
}

nvme_config() {
  scenario_overrides=${nvme_overrides:-} scenario_disks_vendor=NVME scenario_disks_product=Linux scenario_config "$@"
}
