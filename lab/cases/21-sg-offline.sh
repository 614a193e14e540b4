# With one path's SCSI device offline, its TUR ends down and the other path's stays up.
. "$LAB_REPO/lab/guest/sg.sh"
paths=$(sdebug_paths)
read -r sd_a sg_a _ <<<"$(echo "$paths" | sed -n 1p)"
read -r _ sg_b _ <<<"$(echo "$paths" | sed -n 2p)"
[ -n "$sg_b" ] || fail "expected 2 scsi_debug paths, got: $paths"
echo offline >/sys/block/"$sd_a"/device/state || fail "cannot set $sd_a offline"
sg_a=/dev/$sg_a sg_b=/dev/$sg_b
out=$("$labtool" tur --timeout-ms 5000 "$sg_a" "$sg_b")
echo running >/sys/block/"$sd_a"/device/state
echo "$out"
case $(result_of "$sg_a" "$out") in *" down "*) ;; *) fail "offline $sg_a ($sd_a) not down: $(result_of "$sg_a" "$out")" ;; esac
case $(result_of "$sg_b" "$out") in *" up "*) ;; *) fail "$sg_b not up: $(result_of "$sg_b" "$out")" ;; esac
