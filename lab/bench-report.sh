#!/usr/bin/env bash
# Makes the benchmark's table from the raw samples lab/guest/bench.sh wrote (flap.csv, show-paths.csv,
# metrics.csv in DIR): writes DIR/results.md and prints it. Percentiles are nearest-rank, as labtool's.
# Ratios are ours / 0.9.4's, from the same run; each target is checked where it applies.
#   lab/bench-report.sh DIR
set -eu
dir=${1:?usage: lab/bench-report.sh DIR}
for f in show-paths.csv metrics.csv; do
  [ -f "$dir/$f" ] || { echo "bench-report: $dir/$f is missing" >&2; exit 1; }
done

# Samples of the phases that ran: older results have no fabric runs, case 62 only those.
samples=()
for f in flap.csv fabric.csv; do [ -f "$dir/$f" ] && samples+=("$dir/$f"); done

table() {
  awk -F, '
    # Sample lists per key, as "v1 v2 ...": sorted when summarised (a few thousand at most).
    function add(key, v) { s[key] = (key in s) ? s[key] " " v : v }
    function sorted(key, a,   n, i, j, x) {
      n = split(s[key], a, " ")
      for (i = 2; i <= n; i++) { x = a[i] + 0; for (j = i - 1; j > 0 && a[j] + 0 > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return n
    }
    function rank(a, n, q,   i) { i = int(q * n); if (i < q * n) i++; if (i < 1) i = 1; return a[i] + 0 }
    function p(key, q,   a, n) { if (!(key in s)) return ""; n = sorted(key, a); return rank(a, n, q) }
    function ms(x) { return x == "" ? "n/a" : sprintf("%.1f", x) }
    function scaled(x, div) { return x == "" ? "n/a" : sprintf("%.1f", x / div) }
    function num(x) { return x == "" ? "n/a" : x }
    function four(key,   a, n) {
      if (!(key in s)) return "n/a"
      n = sorted(key, a)
      return sprintf("%.0f / %.0f / %.0f / %.0f (n=%d%s)", a[1], rank(a, n, 0.5), rank(a, n, 0.99), a[n], n, miss[key] ? ", " miss[key] " missed" : "")
    }
    function ratio(o, d) { return (o == "" || d == "" || d + 0 == 0) ? "n/a" : sprintf("%.2f", o / d) }
    function met(c) { return c == "" ? "n/a" : (c ? "yes" : "**no**") }
    function row(name, o, d, r, target, ok) { printf "| %s | %s | %s | %s | %s | %s |\n", name, o, d, r, target, ok }
    FILENAME ~ /flap.csv$/ && FNR > 1 {
      if ($7 == "") miss[$1 "," $3]++; else add($1 "," $3, $7 / 1000)
    }
    FILENAME ~ /show-paths.csv$/ && FNR > 1 { add("show," $1, $2) }
    FILENAME ~ /metrics.csv$/ && FNR > 1 { m[$1 "," $2] = $3 }
    FILENAME ~ /fabric.csv$/ && FNR > 1 {
      if ($5 == "") miss[$1 "," $3]++; else add($1 "," $3, $5)
      fabric = 1
    }
    END {
      print "| metric | ours | multipath-tools 0.9.4 | ratio | target | met? |"
      print "|---|---|---|---|---|---|"
      split("default pi1", settings, " ")
      name["default"] = "default settings"; name["pi1"] = "polling_interval 1"
      for (i = 1; i <= 2; i++) {
        k = settings[i]
        o = p("ours-" k ",reinstate", 0.99); d = p("debian-" k ",reinstate", 0.99)
        row("reinstate (running -> active in DM), " name[k] ": min / median / p99 / max ms", four("ours-" k ",reinstate"), four("debian-" k ",reinstate"),
            ratio(o, d) " (p99)", k == "default" ? "p99 <= 250 ms" : "-", k == "default" ? met(o == "" ? "" : o <= 250) : "-")
      }
      for (i = 1; i <= 2; i++) {
        k = settings[i]
        o = p("ours-" k ",fail", 0.99); d = p("debian-" k ",fail", 0.99)
        row("idle-path failure detection (offline -> failed in DM), " name[k] ": min / median / p99 / max ms", four("ours-" k ",fail"), four("debian-" k ",fail"),
            ratio(o, d) " (p99)", "-", "-")
      }
      paths = m["all,luns"] * m["all,hosts"]
      o = m["ours,start_to_maps_ms"]; d = m["debian,start_to_maps_ms"]
      row("daemon start to all " m["all,luns"] " maps built, " paths " paths (s)", scaled(o, 1000), scaled(d, 1000), ratio(o, d), "<= 0.2 x 0.9.4", met(o == "" || d == "" ? "" : o <= d / 5))
      o = m["ours,idle_cpu_ms"]; d = m["debian,idle_cpu_ms"]
      row("CPU time (utime+stime) over " m["all,idle_s"] " s idle, " paths " paths (ms)", num(o), num(d), ratio(o, d), "<= 1/3 of 0.9.4", met(o == "" || d == "" ? "" : o * 3 <= d))
      o = m["ours,vmrss_kb"]; d = m["debian,vmrss_kb"]
      row("VmRSS after the idle time, " paths " paths (MB)", scaled(o, 1024), scaled(d, 1024), ratio(o, d), "<= 0.9.4", met(o == "" || d == "" ? "" : o <= d))
      o = m["ours,vmhwm_kb"]; d = m["debian,vmhwm_kb"]
      row("VmHWM (peak RSS), " paths " paths (MB)", scaled(o, 1024), scaled(d, 1024), ratio(o, d), "-", "-")
      o = m["ours,idle_wakeups_per_s"]; d = m["debian,idle_wakeups_per_s"]
      row("wakeups per second idle, " paths " paths (voluntary context switches, all threads)", num(o), num(d), ratio(o, d), "-", "-")
      o = p("show,ours", 0.99); d = p("show,debian", 0.99)
      row("`show paths` round trip while " m["all,flap_paths"] " paths flap: p50 / p99 ms", \
          ("show,ours" in s) ? ms(p("show,ours", 0.5)) " / " ms(o) : "n/a", ("show,debian" in s) ? ms(p("show,debian", 0.5)) " / " ms(d) : "n/a", \
          ratio(o, d) " (p99)", "p99 <= 20 ms", met(o == "" ? "" : o <= 20))
      if (fabric) {
        what = m["all,luns"] " paths of " paths " offline at once, held " m["all,fabric_hold_s"] " s, back at once, " m["all,fabric_cycles"] " times"
        o = p("ours-fabric,reinstate", 0.99); d = p("debian-fabric,reinstate", 0.99)
        row("fabric failure (" what "): reinstate, min / median / p99 / max ms", four("ours-fabric,reinstate"), four("debian-fabric,reinstate"),
            ratio(o, d) " (p99)", "p99 <= 1000 ms and <= 0.2 x 0.9.4", met(o == "" || d == "" ? "" : o <= 1000 && o <= d / 5))
        o = p("ours-fabric,fail", 0.99); d = p("debian-fabric,fail", 0.99)
        row("fabric failure: detection (offline -> failed in DM), min / median / p99 / max ms", four("ours-fabric,fail"), four("debian-fabric,fail"),
            ratio(o, d) " (p99)", "p99 <= polling_interval (5 s)", met(o == "" ? "" : o <= 5000))
        o = p("show,ours-fabric", 0.99); d = p("show,debian-fabric", 0.99)
        row("`show paths` round trip during the fabric cycles: p50 / p99 / max ms", \
            ("show,ours-fabric" in s) ? ms(p("show,ours-fabric", 0.5)) " / " ms(o) " / " ms(p("show,ours-fabric", 1)) : "n/a", \
            ("show,debian-fabric" in s) ? ms(p("show,debian-fabric", 0.5)) " / " ms(d) " / " ms(p("show,debian-fabric", 1)) : "n/a", \
            ratio(o, d) " (p99)", "p99 <= 20 ms, max <= 100 ms", met(o == "" ? "" : o <= 20 && p("show,ours-fabric", 1) <= 100))
        o = 0; d = 0
        for (c = 1; c <= m["all,fabric_cycles"]; c++) { o += m["ours,fabric_cpu_ms_" c]; d += m["debian,fabric_cpu_ms_" c] }
        row("fabric failure: daemon CPU time over all cycles (ms)", o, d, ratio(o, d), "<= 0.5 x 0.9.4", met(d == 0 ? "" : o * 2 <= d))
      }
      o = m["ours,nomaps_wakeups_per_s"]; d = m["debian,nomaps_wakeups_per_s"]
      row("wakeups per second with no maps (" m["all,wake_s"] " s)", num(o), num(d), ratio(o, d), "0", met(o == "" ? "" : o + 0 == 0))
      if (m["all,huge_luns"] > 0) {
        o = m["ours,huge_start_to_maps_ms"]; d = m["debian,huge_start_to_maps_ms"]
        row("daemon start to all " m["all,huge_luns"] " maps built, " m["all,huge_luns"] * m["all,hosts"] " paths (s)", scaled(o, 1000), scaled(d, 1000), ratio(o, d), "-", "-")
        o = m["ours,huge_vmhwm_kb"]; d = m["debian,huge_vmhwm_kb"]
        row("VmHWM once all maps are built, " m["all,huge_luns"] * m["all,hosts"] " paths (MB)", scaled(o, 1024), scaled(d, 1024), ratio(o, d), "-", "-")
      }
    }' "$dir/show-paths.csv" "$dir/metrics.csv" "${samples[@]}"
}

{
  echo "# Side-by-side benchmark: ours and multipath-tools 0.9.4"
  echo
  table
  echo
  echo "Times under QEMU TCG (software emulation): compare the ratios, not the absolute values."
  echo "Raw samples: flap.csv (labtool flap), show-paths.csv, metrics.csv, fabric.csv; what happened: notes.txt."
  if [ -f "$dir/notes.txt" ]; then
    echo
    echo '```'
    cat "$dir/notes.txt"
    echo '```'
  fi
} >"$dir/results.md"
cat "$dir/results.md"
