# The soak in CI (issue 14; lab/guest/soak.sh): 2 minutes of fio with crc32c verification through a
# 4-path scsi_debug map and a 2-port tcm_loop map while a seeded schedule takes paths away and brings
# them back, with one kill -9 of our daemon during a fault and its restart (maps adopted without a
# reload, DM path states right within one polling interval). 0 fio errors; daemon RSS and fds at the
# end within 5% of the first minute's. SOAK_SECONDS and SOAK_SEED override (lab/soak.sh: the long run);
# the seed is printed. About 170 s with setup on a quiet host (the limit leaves room for a loaded one).
# lab-timeout: 420
. "$LAB_REPO/lab/guest/soak.sh"
soak_run "${SOAK_SECONDS:-120}" "${SOAK_SEED:-$(( ${EPOCHREALTIME/./} % 32768 ))}"
