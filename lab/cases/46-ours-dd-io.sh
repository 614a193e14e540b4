# Ours: dd I/O through the map keeps working across a single-path failure (lab/guest/dd-io.sh; 37 runs
# Debian's multipathd through the same steps).
dd_io_daemon=ours
. "$LAB_REPO/lab/guest/dd-io.sh"
