# Debian's multipathd 0.9.4, then ours, on LIO tcm_loop ALUA state changes: the groups and failback
# follow (lab/guest/tcm-alua.sh).
# lab-timeout: 400
. "$LAB_REPO/lab/guest/scenario.sh"
. "$LAB_REPO/lab/guest/tcm-alua.sh"
scenario_both tcm_alua_steps
