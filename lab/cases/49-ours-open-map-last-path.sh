# lab-timeout: 420
# Ours, 1 scsi_debug path: the map is held open when its only path is deleted, so the kernel refuses
# to remove it and the daemon keeps it with no paths; a path to the same LUN from add_host must then
# come back into that map by reload (same name), not by a create that fails because the map exists.
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin ours 1
scenario_start
scenario_wait A 1 "$scenario_t0" 60 >/dev/null || fail "no map with 1 active path within 60 s"
map=$(scenario_map)
disk=$(scenario_table_disks "$map" 1)
log=$LAB_OUT/ours-$LAB_CASE.log
udevadm settle --timeout=30
wait_file "/dev/mapper/$map" 30 || fail "udev made no /dev/mapper/$map"
# Held open by a process of its own, which scenario_end stops before it removes the maps.
sleep 600 3<"/dev/mapper/$map" &
echo $! >>"$scenario_pids"
map_open() { [ "$(dmsetup info -c --noheadings -o open "$map" | tr -d ' ')" -ge 1 ]; }
wait_until 10 map_open || fail "$map is not open"
echo 1 >"/sys/block/$disk/device/delete" || fail "cannot delete $disk"
wait_until 20 grep -qE "$map: .*in use, kept with no paths" "$log" || fail "the daemon did not keep the open map: $(tail -n 3 "$log" | tr '\n' ' ')"
echo "with no path: dmsetup table: $(dmsetup table "$map")"
dmsetup table "$map" | grep -qE ' [0-9]+:[0-9]+ ' && fail "$map still has a path: $(dmsetup table "$map")"
t=$EPOCHREALTIME
echo 1 >/sys/bus/pseudo/drivers/scsi_debug/add_host || fail "cannot add a scsi_debug host"
back=
map_has_active_path() { dmsetup status "$map" 2>/dev/null | grep -qE ' [0-9]+:[0-9]+ A '; }
wait_until 90 map_has_active_path && back=$EPOCHREALTIME
echo "path back: dmsetup table: $(dmsetup table "$map")"
echo "path back: dmsetup status: $(dmsetup status "$map")"
[ -n "$back" ] || fail "no active path in $map within 90 s of add_host: $(tail -n 3 "$log" | tr '\n' ' ')"
scenario_timing "ours: add_host -> path active in the kept open map $map: $(ms_between "$t" "$back") ms"
grep -E "create failed|reload failed" "$log" && fail "a failed create or reload in the log"
grep -qE "$map: reload .*[0-9]+:[0-9]+" "$log" || fail "no reload of $map with a path in the log"
[ "$(scenario_map)" = "$map" ] || fail "the map changed name"
