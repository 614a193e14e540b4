# LIO tcm_loop: one ramdisk LUN, two paths each in its own ALUA target port group. Setting one group to
# standby / unavailable / offline / transitioning makes that path's TUR ghost / down / down / pending while
# the other (active/optimized) stays up.
. "$LAB_REPO/lab/guest/sg.sh"
must modprobe sg
must modprobe tcm_loop
mountpoint -q /sys/kernel/config || must mount -t configfs none /sys/kernel/config
t=/sys/kernel/config/target
lun=$t/core/rd_mcp_0/sglab
if [ ! -d "$lun" ]; then
  mkdir -p "$lun" || fail "cannot create the ramdisk backstore"
  echo rd_pages=1024 >"$lun/control"
  echo 1 >"$lun/enable" || fail "cannot enable the ramdisk"
  echo 5e1ab5e1ab0001 >"$lun/wwn/vpd_unit_serial"  # without it: no VPD 0x83
  for i in 1 2; do
    mkdir "$lun/alua/grp$i" && echo $((10 + i)) >"$lun/alua/grp$i/tg_pt_gp_id" || fail "cannot create ALUA group $i"
    w=$t/loopback/naa.50014050000000a$i
    mkdir -p "$w/tpgt_1/lun/lun_0" || fail "cannot create loopback port $i"
    echo naa.50014050000000b$i >"$w/tpgt_1/nexus" || fail "cannot create the I_T nexus of port $i"  # before the LUN link
    ln -s "$lun" "$w/tpgt_1/lun/lun_0/port" || fail "cannot link the LUN to port $i"
    echo grp$i >"$w/tpgt_1/lun/lun_0/alua_tg_pt_gp" || fail "cannot put port $i in ALUA group $i"
  done
  udevadm settle -t 10
fi
sg_of() {  # the sg device of loopback port $1
  local addr
  addr=$(cat $t/loopback/naa.50014050000000a$1/tpgt_1/address 2>/dev/null) || fail "no address for port $1"
  ls /sys/bus/scsi/devices/$addr:0/scsi_generic 2>/dev/null | sed 's|^|/dev/|'
}
sg1=$(sg_of 1) sg2=$(sg_of 2)
[ -n "$sg1" ] && [ -n "$sg2" ] || fail "no sg devices for the tcm_loop paths (got '$sg1' '$sg2')"
"$labtool" tur $sg1 $sg2 >/dev/null  # consumes the power-on UNIT ATTENTION of fresh devices
for pair in 2:ghost 3:down 14:down 15:pending; do
  state=${pair%:*} expect=${pair#*:}
  echo $state >"$lun/alua/grp1/alua_access_state" || fail "cannot set ALUA state $state"
  out=$("$labtool" tur --timeout-ms 5000 $sg1 $sg2)
  echo 0 >"$lun/alua/grp1/alua_access_state"
  echo "state $state: $out"
  r1=$(result_of $sg1 "$out") r2=$(result_of $sg2 "$out")
  case $r1 in *" $expect "*) ;; *) fail "ALUA state $state: expected $expect, got: $r1" ;; esac
  case $r2 in *" up "*) ;; *) fail "ALUA state $state: the optimized path is not up: $r2" ;; esac
done
