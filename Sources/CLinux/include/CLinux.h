// What Swift's Glibc module does not import: epoll, timerfd, signalfd, eventfd, the sg v3 and
// dm-ioctl structures, the DM_* ioctl request numbers (function-like macros), Linux AIO and io_uring
// syscalls, and a trampoline for libdevmapper's C-variadic log hook.
#ifndef CLINUX_H
#define CLINUX_H

#include <stdint.h>
#include <stddef.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <scsi/sg.h>
#include <linux/dm-ioctl.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>

// DM ioctl request numbers.
extern const unsigned long CLinux_DM_VERSION;
extern const unsigned long CLinux_DM_LIST_DEVICES;
extern const unsigned long CLinux_DM_DEV_ARM_POLL;
extern const unsigned long CLinux_SG_GET_VERSION_NUM;

// ioctl with a pointer argument (Glibc's ioctl is variadic, which Swift cannot call).
int CLinux_ioctl_ptr(int fd, unsigned long request, void *arg);

// Linux AIO (no libaio needed): raw syscalls.
int CLinux_io_setup(unsigned nr_events, aio_context_t *ctx);
int CLinux_io_destroy(aio_context_t ctx);
int CLinux_io_submit(aio_context_t ctx, long nr, struct iocb **iocbpp);
int CLinux_io_cancel(aio_context_t ctx, struct iocb *iocb, struct io_event *result);
int CLinux_io_getevents(aio_context_t ctx, long min_nr, long max_nr, struct io_event *events, struct timespec *timeout);

// io_uring (no liburing): raw syscalls, the NVMe admin passthrough's cmd_op, and the ring indexes the
// kernel shares (acquire/release, as the io_uring ABI asks).
extern const uint32_t CLinux_NVME_URING_CMD_ADMIN;
int CLinux_io_uring_setup(unsigned entries, struct io_uring_params *params);
int CLinux_io_uring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags);
uint32_t CLinux_load_acquire(const uint32_t *p);
void CLinux_store_release(uint32_t *p, uint32_t v);

// dev_t helpers (macros in glibc).
unsigned int CLinux_major(dev_t dev);
unsigned int CLinux_minor(dev_t dev);
dev_t CLinux_makedev(unsigned int major, unsigned int minor);

// O_DIRECT (needs _GNU_SOURCE, which Swift's Glibc module does not define).
extern const int CLinux_O_DIRECT;

// fcntl with an int argument (variadic in glibc).
int CLinux_fcntl_int(int fd, int cmd, int arg);

// SO_PEERCRED (struct ucred needs _GNU_SOURCE, which Swift's Glibc module does not define).
int CLinux_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid);
// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC (also _GNU_SOURCE only).
int CLinux_accept_nonblocking(int fd);

// libdevmapper's log hook is C-variadic: this trampoline formats the message and calls `sink`.
typedef void (*CLinux_dm_log_sink)(int level, const char *file, int line, const char *message);
void CLinux_dm_set_log_sink(CLinux_dm_log_sink sink);

// The name in a libdevmapper `struct dm_names` list entry (a flexible array member Swift cannot reach).
struct dm_names;
const char *CLinux_dm_names_name(const struct dm_names *names);

#endif
