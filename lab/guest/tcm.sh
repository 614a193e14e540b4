# LIO tcm_loop for lab cases (sourced after lib.sh): one ramdisk LUN behind two loopback ports, each port
# in its own ALUA target port group (grp1, grp2).
#   tcm_setup      sets $t (configfs target root) and $lun (the LUN's backstore) and creates them
#   tcm_teardown   removes them again (ports first: their SCSI disks go away), so that later cases see
#                  no LIO disk; whatever holds the disks (a daemon, a map) must be gone by then
tcm_setup() {
  must modprobe sg
  must modprobe tcm_loop
  mountpoint -q /sys/kernel/config || must mount -t configfs none /sys/kernel/config
  t=/sys/kernel/config/target
  lun=$t/core/rd_mcp_0/sglab
  [ -d "$lun" ] && fail "a tcm_loop LUN is left from an earlier case (it did not call tcm_teardown)"
  local i w
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
}

tcm_teardown() {
  local i w left
  for i in 1 2; do
    w=$t/loopback/naa.50014050000000a$i
    [ -d "$w" ] || continue
    rm -f "$w/tpgt_1/lun/lun_0/port"
    rmdir "$w/tpgt_1/lun/lun_0" "$w/tpgt_1" "$w"
  done
  [ -d "$lun" ] && rmdir "$lun/alua/grp1" "$lun/alua/grp2" "$lun" "$t/core/rd_mcp_0"
  udevadm settle -t 10
  left=$(ls -d "$t"/loopback/naa.* "$t"/core/rd_mcp_0 2>/dev/null; grep -l LIO-ORG /sys/block/sd*/device/vendor 2>/dev/null)
  # A case that already failed keeps its own reason.
  [ -z "$left" ] || [ -s "$LAB_WHY" ] || fail "tcm_loop teardown left: $(words "$left")"
}
