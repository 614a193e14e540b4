# Debian's multipathd 0.9.4, then ours: dd I/O through the map keeps working across a single-path
# failure (lab/guest/dd-io.sh).
# lab-timeout: 360
. "$LAB_REPO/lab/guest/dd-io.sh"
scenario_both dd_io_steps
