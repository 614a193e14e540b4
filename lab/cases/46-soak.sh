# The soak in CI (issue 14; lab/guest/soak.sh): 2 minutes of fio with crc32c verification through a
# 4-path scsi_debug map and a 2-port tcm_loop map while a seeded schedule takes paths away and brings
# them back, with one kill -9 of our daemon during a fault and its restart (maps adopted without a
# reload, DM path states right within one polling interval). 0 fio errors; daemon RSS and fds at the
# end within 5% of the first minute's. SOAK_SECONDS and SOAK_SEED override (lab/soak.sh: the long run,
# its seed new each time); CI keeps one seed that has passed, so that a red run means the daemon, and
# the loaded host's timing still varies. About 170 s with setup (the limit leaves room for a loaded host).
# lab-timeout: 420
. "$LAB_REPO/lab/guest/soak.sh"
soak_run "${SOAK_SECONDS:-120}" "${SOAK_SEED:-11486}"
