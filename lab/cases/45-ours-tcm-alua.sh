# Ours on LIO tcm_loop ALUA state changes: the groups and failback follow (lab/guest/tcm-alua.sh; 36 runs
# Debian's multipathd through the same steps).
# lab-timeout: 200
tcm_alua_daemon=ours
. "$LAB_REPO/lab/guest/tcm-alua.sh"
