# lab-timeout: 480
# Ours, 2 scsi_debug paths to each of 2 LUNs (two maps, grouped by ALUA state): /etc/multipath.conf
# gives the first map path_grouping_policy multibus, then `multipathd reconfigure`. That map must be
# reloaded with one group; the other must see no reload (same table, same DM event counter, no log line).
. "$LAB_REPO/lab/guest/scenario.sh"
scenario_begin ours 2
# Two LUNs behind both hosts: two WWIDs.
modprobe -r scsi_debug || fail "cannot unload scsi_debug"
must modprobe scsi_debug add_host=2 num_tgts=1 max_luns=2 vpd_use_hostno=0 dev_size_mb=16 ptype=0
four_disks() { [ "$(scenario_disks | wc -l)" = 4 ]; }
wait_until_sleep=1 wait_until 120 four_disks || fail "expected 4 scsi_debug disks, got: $(scenario_disks | tr '\n' ' ')"
udevadm settle --timeout=60
scenario_start
maps() { dmsetup ls --target multipath | awk '$1 != "No" { print $1 }' | sort; }
two_maps_ready() {
  local m n=0
  for m in $(maps); do [ "$(dmsetup status "$m" | grep -oE ' [0-9]+:[0-9]+ A ' | wc -l)" = 2 ] && n=$((n + 1)); done
  [ $n = 2 ]
}
wait_until_sleep=0.2 wait_until 120 two_maps_ready || fail "no two maps with 2 active paths each within 120 s: $(maps | tr '\n' ' ')"
mapfile -t names < <(maps)
set -- "${names[@]}"
a=$1 b=$2
wwid=$(dmsetup info -c --noheadings -o uuid "$a" | sed 's/^mpath-//')
groups_a=$("$labtool" groups "$a" | wc -l)
[ "$groups_a" = 2 ] || fail "$a has $groups_a path groups, expected 2 (one per ALUA state)"
table_b=$(dmsetup table "$b")
events_b=$(dmsetup info -c --noheadings -o events "$b" | tr -d ' ')
echo "before: $a: $(dmsetup table "$a")"
echo "before: $b: $table_b (events $events_b)"
printf 'multipaths {\n    multipath {\n        wwid %s\n        path_grouping_policy multibus\n    }\n}\n' "$wwid" >>/etc/multipath.conf
log=$LAB_OUT/ours-$LAB_CASE.log
mark=$(wc -l <"$log")
t=$EPOCHREALTIME
out=$(scenario_cli reconfigure) || fail "reconfigure: $out"
[ "$out" = ok ] || fail "reconfigure answered '$out'"
done=
one_group() { [ "$("$labtool" groups "$a" | wc -l)" = 1 ]; }
wait_until 30 one_group && done=$EPOCHREALTIME
[ -n "$done" ] || fail "$a still has $("$labtool" groups "$a" | wc -l) groups after reconfigure: $(dmsetup table "$a")"
scenario_timing "ours: reconfigure -> $a reloaded with path_grouping_policy multibus: $(ms_between "$t" "$done") ms"
sleep 2
echo "after: $a: $(dmsetup table "$a")"
echo "after: $b: $(dmsetup table "$b") (events $(dmsetup info -c --noheadings -o events "$b" | tr -d ' '))"
since=$(tail -n +$((mark + 1)) "$log")
[ "$(echo "$since" | grep -c "$a: reload ")" = 1 ] || fail "expected one reload of $a: $(echo "$since" | grep reload | tr '\n' ' ')"
echo "$since" | grep -q "$b: reload " && fail "$b was reloaded: $(echo "$since" | grep "$b: reload")"
[ "$(dmsetup table "$b")" = "$table_b" ] || fail "$b's table changed: $(dmsetup table "$b")"
[ "$(dmsetup info -c --noheadings -o events "$b" | tr -d ' ')" = "$events_b" ] || fail "$b's DM event counter moved"
true
