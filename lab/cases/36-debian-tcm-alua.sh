# Baseline, Debian's multipathd 0.9.4 on LIO tcm_loop ALUA state changes: the groups and failback follow
# (lab/guest/tcm-alua.sh; 45 runs ours through the same steps).
# lab-timeout: 200
tcm_alua_daemon=debian
. "$LAB_REPO/lab/guest/tcm-alua.sh"
