#define _GNU_SOURCE
#include "CLinux.h"
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <libdevmapper.h>
#include <linux/nvme_ioctl.h>

const unsigned long CLinux_DM_VERSION = DM_VERSION;
const unsigned long CLinux_DM_LIST_DEVICES = DM_LIST_DEVICES;
const unsigned long CLinux_DM_DEV_ARM_POLL = DM_DEV_ARM_POLL;
const unsigned long CLinux_SG_GET_VERSION_NUM = SG_GET_VERSION_NUM;

int CLinux_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

int CLinux_io_setup(unsigned nr_events, aio_context_t *ctx) { return (int)syscall(SYS_io_setup, nr_events, ctx); }
int CLinux_io_destroy(aio_context_t ctx) { return (int)syscall(SYS_io_destroy, ctx); }
int CLinux_io_submit(aio_context_t ctx, long nr, struct iocb **iocbpp) { return (int)syscall(SYS_io_submit, ctx, nr, iocbpp); }
int CLinux_io_cancel(aio_context_t ctx, struct iocb *iocb, struct io_event *result) { return (int)syscall(SYS_io_cancel, ctx, iocb, result); }
int CLinux_io_getevents(aio_context_t ctx, long min_nr, long max_nr, struct io_event *events, struct timespec *timeout) {
    return (int)syscall(SYS_io_getevents, ctx, min_nr, max_nr, events, timeout);
}

const uint32_t CLinux_NVME_URING_CMD_ADMIN = NVME_URING_CMD_ADMIN;
int CLinux_io_uring_setup(unsigned entries, struct io_uring_params *params) { return (int)syscall(SYS_io_uring_setup, entries, params); }
int CLinux_io_uring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) {
    return (int)syscall(SYS_io_uring_enter, fd, to_submit, min_complete, flags, NULL, 0);
}
uint32_t CLinux_load_acquire(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void CLinux_store_release(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

unsigned int CLinux_major(dev_t dev) { return major(dev); }
unsigned int CLinux_minor(dev_t dev) { return minor(dev); }
dev_t CLinux_makedev(unsigned int ma, unsigned int mi) { return makedev(ma, mi); }

const int CLinux_O_DIRECT = O_DIRECT;

int CLinux_fcntl_int(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }

int CLinux_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *pid = cred.pid;
    *uid = cred.uid;
    *gid = cred.gid;
    return 0;
}

int CLinux_accept_nonblocking(int fd) { return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }

static CLinux_dm_log_sink dm_sink;

static void dm_log_trampoline(int level, const char *file, int line, int dm_errno_or_class, const char *f, ...) {
    (void)dm_errno_or_class;
    if (!dm_sink) return;
    char buf[1024];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    dm_sink(level, file, line, buf);
}

void CLinux_dm_set_log_sink(CLinux_dm_log_sink sink) {
    dm_sink = sink;
    dm_log_with_errno_init(sink ? dm_log_trampoline : NULL);
}

const char *CLinux_dm_names_name(const struct dm_names *names) { return names->name; }
