# Benchmark: TUR commands per second through the SG edge on one loop against scsi_debug, and the round-trip
# distribution, at depth 1 (one command at a time on one path) and depth 16 on every path. Figures go to
# timings.txt; the case fails only if nothing completes or a command fails.
. "$LAB_REPO/lab/guest/sg.sh"
paths=$(sdebug_paths)
mapfile -t devs < <(echo "$paths" | awk '{ print "/dev/" $2 }')
for depth in 1 16; do
  if [ "$depth" = 1 ]; then set -- "${devs[0]}"; else set -- "${devs[@]}"; fi
  out=$("$labtool" tur-bench 5 --depth "$depth" "$@") || fail "labtool tur-bench failed: $out"
  echo "$out"
  echo "sg bench ($# path(s), depth $depth): $out" >>"$LAB_OUT/timings.txt"
  [ "$(field "$out" errors)" = 0 ] || fail "failed commands: $out"
  [ "$(field "$out" commands)" -gt 0 ] || fail "no command completed: $out"
done
