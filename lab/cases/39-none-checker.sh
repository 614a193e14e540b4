# path_checker none, Debian's multipathd 0.9.4 then ours: the checker sends nothing and reports the SCSI
# device's sysfs state, so a path whose device is set offline is failed, and reinstated once it runs
# again. detect_checker no: scsi_debug reports ALUA, which would choose tur.
# lab-timeout: 300
. "$LAB_REPO/lab/guest/scenario.sh"
for daemon in debian ours; do
  watch_log=$LAB_OUT/watch-$LAB_CASE-$daemon.log
  scenario_begin "$daemon" 2 path_checker none detect_checker no polling_interval 2
  scenario_start
  scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with 2 active paths within 60 s"
  disk=$(scenario_disks | head -n 1)
  t=$EPOCHREALTIME
  echo offline >"/sys/block/$disk/device/state" || fail "cannot set $disk offline"
  seen=$(scenario_wait F 1 "$t" 30) || fail "$daemon: $disk offline was not failed within 30 s"
  scenario_timing "$daemon: $disk offline -> failed in ${seen#* } ms"
  t=$EPOCHREALTIME
  echo running >"/sys/block/$disk/device/state" || fail "cannot set $disk running"
  seen=$(scenario_wait A 2 "$t" 30) || fail "$daemon: $disk running again was not reinstated within 30 s"
  scenario_timing "$daemon: $disk running -> reinstated in ${seen#* } ms"
  scenario_end
done
