# A real iSCSI fabric (LIO in a network namespace, four portals on four veth links, open-iscsi) under fio
# with verification, Debian's multipathd 0.9.4 then ours (lab/guest/iscsi-faults.sh): (a) one link down
# 30 s, (b) one portal's packets silently dropped 30 s, (d) one portal's TPG disabled 20 s, (c) all links
# down 20 s under no_path_retry queue. Two portals: cases 57 and 46 (the soak), lab/extra/59.
# lab-timeout: 900
. "$LAB_REPO/lab/guest/iscsi-faults.sh"
iscsi_faults_portals=4 iscsi_faults_case a b d c
