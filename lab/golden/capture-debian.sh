#!/bin/bash
# Guest side: runs Debian's multipathd 0.9.4 over four scsi_debug paths (ALUA groups) and records what
# its client prints for the show formats, help, errors and permissions: the source of the golden
# fixtures in Tests/MultipathCoreTests/Fixtures/debian-0.9.4. From the host:
#   . lab/vm.sh; lab_boot OUT "bash $PWD/lab/golden/capture-debian.sh OUT"    (OUT: an absolute folder)
out=$1
cd "$out"
exec >"$out/capture.log" 2>&1
set -x
modprobe dm_mod; modprobe dm_multipath; modprobe dm_service_time; modprobe dm_round_robin
cat >/etc/multipath.conf <<'C'
defaults {
	polling_interval 1
	max_polling_interval 4
	path_grouping_policy group_by_prio
	checker_timeout 5
	find_multipaths no
	user_friendly_names yes
}
C
modprobe scsi_debug add_host=4 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=16 ptype=0
udevadm settle
/sbin/multipathd -d -v3 >"$out/debian-daemon.log" 2>&1 &
dpid=$!
for i in $(seq 100); do /sbin/multipathd show maps 2>/dev/null | grep -q mpath && break; sleep 0.3; done
sleep 3
run() { local f=$1; shift; echo "### $*" >>"$out/index.txt"; "$@" >"$out/$f.out" 2>&1; echo "rc=$?" >>"$out/$f.out.rc"; }
run ll multipath -ll
run paths multipathd show paths
run maps multipathd show maps
run maps-status multipathd show maps status
run maps-stats multipathd show maps stats
run topology multipathd show topology
run maps-topology multipathd show maps topology
run map-topology multipathd show map mpatha topology
run maps-json multipathd show maps json
run map-json multipathd show map mpatha json
run wildcards multipathd show wildcards
run status multipathd show status
run daemon multipathd show daemon
run blacklist multipathd show blacklist
run devices multipathd show devices
run config multipathd show config
run config-local multipathd show config local
run help multipathd help
run show-foo multipathd show foo
run show-map multipathd show map
run foo-paths multipathd foo paths
run ok-reset multipathd reset maps stats
run path-one multipathd show path sdb
for w in w i d D t o T s c C p S z M m N n R r a G g 0 P I L; do
  run "pw-$w" multipathd show paths format "%$w"
  run "pwr-$w" multipathd show paths raw format "%$w"
done
run pall multipathd show paths format "%w %i %d %D %t %o %T %s %c %C %p %S %z %M %m %N %n %R %r %a %G %g %0 %P %I %L"
run pallraw multipathd show paths raw format "%w %i %d %D %t %o %T %s %c %C %p %S %z %M %m %N %n %R %r %a %G %g %0 %P %I %L"
for w in n w d F Q N r t S f x h A 0 1 2 3 4 s v p e G g; do
  run "mw-$w" multipathd show maps format "%$w"
  run "mwr-$w" multipathd show maps raw format "%$w"
done
run mall multipathd show maps format "%n %w %d %F %Q %N %r %t %S %f %x %h %A %0 %1 %2 %3 %4 %s %v %p %e %G %g"
run mallraw multipathd show maps raw format "%n %w %d %F %Q %N %r %t %S %f %x %h %A %0 %1 %2 %3 %4 %s %v %p %e %G %g"
run mapfmt multipathd show map mpatha format "%n %w %d"
run literal multipathd show paths format "x%%y %d|%t %Z end"
run nonroot setpriv --reuid=65534 --regid=65534 --clear-groups /sbin/multipathd show paths
run nonroot-fail setpriv --reuid=65534 --regid=65534 --clear-groups /sbin/multipathd fail path sdb
run nonroot-list setpriv --reuid=65534 --regid=65534 --clear-groups /sbin/multipathd list daemon
run strace strace -f -s 200 -xx -e trace=socket,connect,sendto,sendmsg,write,read,recvfrom,poll /sbin/multipathd show daemon
run k-interactive bash -c 'printf "show daemon\nshow status\nquit\n" | /sbin/multipathd -k'
run fail-path multipathd fail path sdc
sleep 0.5
run paths-after-fail multipathd show paths
run ll-after-fail multipath -ll
run maps-json-after-fail multipathd show maps json
run reinstate multipathd reinstate path sdc
run fail-bogus multipathd fail path sdzz
run switch multipathd switch map mpatha group 2
run disableq multipathd disablequeueing maps
run restoreq multipathd restorequeueing maps
run getprstatus multipathd getprstatus map mpatha
run getprkey multipathd getprkey map mpatha
run reconfigure multipathd reconfigure
sleep 3
run del-map multipathd del map mpatha
sleep 1
run paths-orphan multipathd show paths
run pall-orphan multipathd show paths format "%w %i %d %D %t %o %T %s %c %C %p %S %z %M %m %N %n %R %r %a %G %g %0 %P %I %L"
run maps-empty multipathd show maps
run topo-empty multipathd show topology
run json-empty multipathd show maps json
run add-map multipathd add map mpatha
run shutdown multipathd shutdown
sleep 2
kill $dpid 2>/dev/null
run noconn multipathd show paths
ls /sys/block > "$out/blocks.txt"
for d in /sys/block/sd*; do echo "$d $(cat $d/dev) $(cat $d/device/state) $(readlink -f $d/device)"; done > "$out/sysfs.txt"
echo done > "$out/DONE"
