# lab-timeout: 600
# `show blacklist`, `show devices`, `show config local`, `show status`, `show maps stats`, `show paths`
# and `show maps` (formats without timing) from
# Debian's 0.9.4 daemon and from ours, both asked by Debian's client, on the same scsi_debug disks (two
# LUNs, two paths each): without a configuration file (find_multipaths strict: every path an orphan),
# then with blacklist, exceptions and device sections that blacklist LUN 1 (one map). The replies must
# be identical but for the configuration keywords where we differ on purpose (docs/config-differences.md).
# Then ours alone: reset of the counters, and `show stats json` after a path failure.
. "$LAB_REPO/lab/guest/control.sh"
. "$LAB_REPO/lab/guest/scenario.sh"
trap scenario_end EXIT
debian_daemon_stop
daemon_kill
scenario_clean || fail "cleanup before the case failed"
must modprobe dm_multipath
must modprobe scsi_debug add_host=2 num_tgts=1 max_luns=2 vpd_use_hostno=0 dev_size_mb=16 ptype=0
must udevadm settle --timeout=90
lun1=$(for d in /sys/block/sd*; do
  grep -q scsi_debug "$d"/device/model 2>/dev/null || continue
  case $(readlink -f "$d"/device) in *:1) udevadm info -q property -p "$d" | sed -n 's/^ID_SERIAL=//p'; break ;; esac
done)
[ -n "$lun1" ] || fail "no scsi_debug LUN 1"
out=$LAB_OUT/$LAB_CASE
mkdir -p "$out"
# The paths in discovery order with what neither daemon learns from timing (orphans: undef, unknown,
# [orphan]), and the maps with their action (create) and counters.
commands=("show blacklist" "show devices" "show config local" "show status" "show maps stats"
  "show paths raw format %d|%D|%t|%T|%o|%m" "show maps raw format %n|%A|%0|%t")

# Asks every command of the list, one file per command in $out/TAG-N.
ask_all() {
  local i
  for i in "${!commands[@]}"; do
    # shellcheck disable=SC2086  # each entry is a command line: split into words on purpose
    deb ${commands[$i]} >"$out/$1-$i.txt"
  done
}

idle_with_maps() { [ "$(deb show maps raw format %n | grep -cvx ok)" = "$1" ] && [ "$(deb show daemon | cut -d' ' -f3)" = idle ]; }
# Waits until the daemon on the socket is idle with WANT maps (a name per line in `show maps raw format %n`).
settle() {
  wait_until_sleep=0.5 wait_until 120 idle_with_maps "$1" || true
  # Every path checked at least once (0.9.4's first checks come at its polling interval).
  sleep 6
}

# Keyword lines where we differ on purpose, and verbosity (0.9.4 shows its -v).
comparable() { grep -vE '^	(max_polling_interval|failed_path_reprobe_ms|force_sync|retrigger_tries|disable_changed_wwids|verbosity) ' "$1"; }

# `show status` with orphans: 0.9.4 counts each under the verdict of the one check it made when it found
# the path (up, or pending when its asynchronous TUR had not answered yet: it varies from run to run); ours
# are never checked and count as pending. Compared: how many paths the state lines count, and the rest.
orphan_status() { awk '/^[a-z]+ +[0-9]+$/ { n += $2; next } { print } END { print "in states:", n }' "$1"; }

compare() {
  local i d norm
  for i in "${!commands[@]}"; do
    norm=comparable
    [ "$1" = builtin ] && [ "${commands[$i]}" = "show status" ] && norm=orphan_status
    d=$(diff <($norm "$out/debian-$1-$i.txt") <($norm "$out/ours-$1-$i.txt")) ||
      fail "$1: '${commands[$i]}' differs (< Debian, > ours): $(echo "$d" | head -n 8 | tr '\n' ' ')"
  done
}

run_both() {
  local tag=$1 maps=$2
  /sbin/multipathd -d -s -v3 >>"$LAB_OUT/debian-$LAB_CASE.log" 2>&1 </dev/null &
  echo $! >>"$scenario_pids"
  local debian=$!
  settle "$maps"
  ask_all "debian-$tag"
  kill -TERM $debian; wait $debian 2>/dev/null
  scenario_clean_maps
  rm -f /etc/multipath/wwids /etc/multipath/bindings
  daemon_start -s
  settle "$maps"
  ask_all "ours-$tag"
  compare "$tag"
}

scenario_clean_maps() {
  local m
  udevadm settle --timeout=30
  for m in $(dmsetup ls --target multipath 2>/dev/null | awk '$1 != "No" { print $1 }'); do dmsetup remove "$m"; done
}

rm -f /etc/multipath.conf /etc/multipath/wwids /etc/multipath/bindings
run_both builtin 0
grep -q '^pending ' "$out/ours-builtin-3.txt" && grep -qx 'paths: 0' "$out/ours-builtin-3.txt" ||
  fail "show status of orphans: $(tr '\n' ' ' <"$out/ours-builtin-3.txt")"
daemon_kill

# The lists file the fixtures were captured with, LUN 1's uid in its wwid rule.
sed "s/1Linux_scsi_debug_2001/$lun1/" "$LAB_REPO/Tests/MultipathCoreTests/Fixtures/debian-0.9.4/lists.conf" >/etc/multipath.conf
run_both lists 1
grep -q '(config file rule) Linux:scsi_debug' "$out/ours-lists-0.txt" || fail "show blacklist: no device exception"

# Ours: the counters and their reset, then a failover in `show stats json`.
map=$(deb show maps raw format %n)
[ "$(deb reset map nosuchmap stats)" = fail ] || fail "reset map nosuchmap stats is not fail"
[ "$(deb reset map "$map" stats)" = ok ] || fail "reset map $map stats is not ok"
# `show map M raw format` pads its columns as 0.9.4 does (to the headers): squeeze the spaces.
counters() { deb show map "$map" raw format "$1" | tr -s ' ' | sed 's/ $//'; }
[ "$(counters '%0 %1 %2 %3 %4')" = "0 0 0 0 0" ] || fail "counters after reset: $(counters '%0 %1 %2 %3 %4')"
disk=$(deb show paths raw format '%d' | head -n 1)
echo offline >/sys/block/"$disk"/device/state
map_switched_once() { [ "$(counters %0)" = 1 ]; }
wait_until 20 map_switched_once || true
echo running >/sys/block/"$disk"/device/state
path_active() { deb show paths raw format '%d %t' | grep -qx "$disk active"; }
wait_until 20 path_active || true
deb show stats json >"$out/stats.json"
python3 - "$out/stats.json" "$map" "$disk" <<'P' || fail "show stats json: $(tr '\n' ' ' <"$out/stats.json" | head -c 600)"
import json, sys
s = json.load(open(sys.argv[1]))
m = next(m for m in s["maps"] if m["name"] == sys.argv[2])
p = next(p for p in s["paths"] if p["dev"] == sys.argv[3])
assert m["path_faults"] == 1 and m["failover"]["count"] == 1 and m["reinstate"]["count"] == 1, m
assert p["failures"] >= 1 and p["check_latency"]["count"] > 0 and sum(p["check_latency"]["buckets"]) == p["check_latency"]["count"], p
print("failover", m["failover"]["last_us"], "us, reinstate", m["reinstate"]["last_us"], "us, check max", p["check_latency"]["max_us"], "us")
P
daemon_running || fail "daemon died"
daemon_kill
echo ok
