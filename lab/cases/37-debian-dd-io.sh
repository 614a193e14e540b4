# Baseline, Debian's multipathd 0.9.4: dd I/O through the map keeps working across a single-path failure
# (lab/guest/dd-io.sh; 46 runs ours through the same steps).
dd_io_daemon=debian
. "$LAB_REPO/lab/guest/dd-io.sh"
