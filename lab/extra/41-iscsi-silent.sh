# The iSCSI fabric of lab/cases/40-iscsi-link.sh, Debian's multipathd 0.9.4 then ours: (b) one portal's
# packets silently dropped 30 s, (d) one portal's TPG disabled 20 s. Not in CI (lab time): run it with
# `lab/run.sh --case 41-iscsi-silent`.
# lab-timeout: 420
. "$LAB_REPO/lab/guest/iscsi-faults.sh"
iscsi_faults_case b d
