# With one path's SCSI device offline, its TUR ends down and the other path's stays up.
. "$LAB_REPO/lab/guest/sg.sh"
paths=$(sdebug_paths)
set -- $(echo "$paths" | sed -n 1p)
sd_a=$1 sg_a=/dev/$2
set -- $(echo "$paths" | sed -n 2p)
sg_b=/dev/$2
[ -n "$sg_b" ] || fail "expected 2 scsi_debug paths, got: $paths"
echo offline >/sys/block/$sd_a/device/state || fail "cannot set $sd_a offline"
out=$("$labtool" tur --timeout-ms 5000 "$sg_a" "$sg_b")
echo running >/sys/block/$sd_a/device/state
echo "$out"
case $(result_of "$sg_a" "$out") in *" down "*) ;; *) fail "offline $sg_a ($sd_a) not down: $(result_of "$sg_a" "$out")" ;; esac
case $(result_of "$sg_b" "$out") in *" up "*) ;; *) fail "$sg_b not up: $(result_of "$sg_b" "$out")" ;; esac
