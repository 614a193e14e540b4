# LIO tcm_loop: one ramdisk LUN, two paths each in its own ALUA target port group. Setting one group to
# standby / unavailable / offline / transitioning makes that path's TUR ghost / down / down / pending while
# the other (active/optimized) stays up.
. "$LAB_REPO/lab/guest/sg.sh"
. "$LAB_REPO/lab/guest/tcm.sh"
tcm_setup
trap tcm_teardown EXIT
sg_of() {  # the sg device of loopback port $1
  local addr
  addr=$(cat "$t/loopback/naa.50014050000000a$1/tpgt_1/address" 2>/dev/null) || fail "no address for port $1"
  # shellcheck disable=SC2012  # a sysfs folder with one entry, sgN
  ls /sys/bus/scsi/devices/"$addr":0/scsi_generic 2>/dev/null | sed 's|^|/dev/|'
}
sg1=$(sg_of 1) sg2=$(sg_of 2)
[ -n "$sg1" ] && [ -n "$sg2" ] || fail "no sg devices for the tcm_loop paths (got '$sg1' '$sg2')"
"$labtool" tur "$sg1" "$sg2" >/dev/null  # consumes the power-on UNIT ATTENTION of fresh devices
for pair in 2:ghost 3:down 14:down 15:pending; do
  state=${pair%:*} expect=${pair#*:}
  echo "$state" >"$lun/alua/grp1/alua_access_state" || fail "cannot set ALUA state $state"
  out=$("$labtool" tur --timeout-ms 5000 "$sg1" "$sg2")
  echo 0 >"$lun/alua/grp1/alua_access_state"
  echo "state $state: $out"
  r1=$(result_of "$sg1" "$out") r2=$(result_of "$sg2" "$out")
  case $r1 in *" $expect "*) ;; *) fail "ALUA state $state: expected $expect, got: $r1" ;; esac
  case $r2 in *" up "*) ;; *) fail "ALUA state $state: the optimized path is not up: $r2" ;; esac
done
