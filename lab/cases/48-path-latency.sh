# prio path_latency (io_num=20 base_num=10), Debian's multipathd 0.9.4 then ours, same configuration,
# on 2 scsi_debug paths that answer in about 2 ms (ndelay): both daemons time 20 O_DIRECT reads and give
# the paths 0.9.4's priority, trunc(log10(100 s / mean latency)), 4 from 1 to 10 ms. Ours must agree with
# Debian's `show paths` priorities (within one step, for latency noise: the two run one after the other,
# and ours times each read from its submission to the loop's handling of its completion) and with the
# formula applied to the mean latency it logged. A dd of 20 direct reads gives the device's latency
# before each daemon starts.
# lab-timeout: 420
. "$LAB_REPO/lab/guest/scenario.sh"
declare -A prio
for daemon in debian ours; do
  watch_log=$LAB_OUT/watch-$LAB_CASE-$daemon.log
  scenario_begin $daemon 2
  echo 2000000 >/sys/bus/pseudo/drivers/scsi_debug/ndelay || fail "cannot set scsi_debug ndelay"
  sed -i 's/^    prio alua$/    prio path_latency\n    prio_args "io_num=20 base_num=10"\n    detect_prio no/' /etc/multipath.conf
  grep -q path_latency /etc/multipath.conf || fail "config: $(cat /etc/multipath.conf)"
  # The device's latency now, for comparison: 20 synchronous O_DIRECT 4 KiB reads.
  disk=$(scenario_disks | head -n1)
  secs=$(dd if=/dev/"$disk" of=/dev/null bs=4k count=20 iflag=direct 2>&1 | sed -nE 's/.* copied, ([0-9.e-]+) s,.*/\1/p')
  [ -n "$secs" ] || fail "dd from $disk failed"
  scenario_timing "$daemon: dd, 20 direct 4 KiB reads from $disk: $(awk -v s="$secs" 'BEGIN { printf "%d", s * 1e6 / 20 }') us each"
  scenario_start
  scenario_wait A 2 "$scenario_t0" 60 >/dev/null || fail "$daemon: no map with 2 active paths within 60 s"
  sleep 2
  out=$(scenario_cli show paths format "%d %p") || fail "$daemon: show paths failed: $out"
  echo "$daemon: show paths: $(words "$out")"
  prio[$daemon]=$(echo "$out" | awk '$1 ~ /^sd/ { print $1 "=" $2 }' | sort | paste -sd' ')
  [ -n "${prio[$daemon]}" ] || fail "$daemon: no priorities in show paths: $(words "$out")"
  scenario_timing "$daemon: path_latency priorities ${prio[$daemon]} (show paths %p)"
  scenario_end
done
grep -h 'latency avg=\|mean latency' "$LAB_OUT"/{debian,ours}-"$LAB_CASE".log
# Each of our measurements: the logged priority is the formula of the logged mean.
bad=$(grep -h 'path_latency: mean latency' "$LAB_OUT/ours-$LAB_CASE.log" |
  sed -E 's/.*mean latency ([0-9]+) us.*prio (-?[0-9]+).*/\1 \2/' |
  awk '{ want = int(8 - log($1) / log(10)); if (want < 0) want = 0; if (want != $2) print }')
[ -z "$bad" ] || fail "ours: priority does not follow 0.9.4's formula for: $bad"
grep -q 'path_latency: mean latency' "$LAB_OUT/ours-$LAB_CASE.log" || fail "ours: no path_latency measurement in the log"
for p in ${prio[ours]}; do
  d=${p%=*} ours=${p#*=} deb=$(echo " ${prio[debian]} " | sed -nE "s/.* $d=(-?[0-9]+) .*/\1/p")
  [ -n "$deb" ] || continue  # sdX names may differ between the two loads
  [ $(( ours - deb )) -le 1 ] && [ $(( deb - ours )) -le 1 ] || fail "$d: ours $ours, Debian $deb"
done
