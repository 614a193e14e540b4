# A real iSCSI fabric (LIO in a network namespace, two veth links, open-iscsi) under fio with
# verification, Debian's multipathd 0.9.4 then ours: (a) one link down 30 s, (c) all links down 20 s
# under no_path_retry queue (lab/guest/iscsi-faults.sh). The silent drop and the disabled portal:
# lab/extra/41-iscsi-silent.sh.
# lab-timeout: 420
. "$LAB_REPO/lab/guest/iscsi-faults.sh"
iscsi_faults_case a c
