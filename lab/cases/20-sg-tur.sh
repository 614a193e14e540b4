# An asynchronous TEST UNIT READY through the SG edge on the reactor is GOOD on every scsi_debug path.
. "$LAB_REPO/lab/guest/sg.sh"
paths=$(sdebug_paths)
[ "$(echo "$paths" | wc -l)" -ge 2 ] || fail "expected 2 scsi_debug paths, got: $paths"
mapfile -t devs < <(echo "$paths" | awk '{ print "/dev/" $2 }')
out=$("$labtool" tur --timeout-ms 5000 "${devs[@]}") || fail "labtool tur failed: $out"
echo "$out"
for d in "${devs[@]}"; do
  r=$(result_of "$d" "$out")
  case $r in *" up "*"reason=TUR good") ;; *) fail "$d: $r" ;; esac
done
