#!/usr/bin/env python3
"""Records every kernel signal a daemon could wait on (in epoll, without polling) when an iSCSI session
changes state, one line each: CLOCK_MONOTONIC nanoseconds, the source, what it said.

  transport-signals.py OUT READY STATE_FILE...

  uevent  a kernel uevent (NETLINK_KOBJECT_UEVENT, every subsystem): action, devpath, NVME_EVENT/SDEV_*
  iscsi   a NETLINK_ISCSI multicast message to iscsid's group (ISCSI_NL_GRP_ISCSID): its event type
  sysfs   a STATE_FILE (e.g. an iSCSI session's `state`) woke poll() (sysfs_notify): what it reads now
Writes READY once every socket is bound, so that the case starts its fault after that.
"""
import os
import select
import socket
import struct
import sys
import time

NETLINK_KOBJECT_UEVENT = 15
NETLINK_ISCSI = 8
ISCSI_NL_GRP_ISCSID = 1
# include/scsi/iscsi_if.h: the kernel's events to iscsid (ISCSI_KEVENT_BASE 100 + n).
KEVENTS = {101: "RECV_PDU", 102: "CONN_ERROR", 103: "IF_ERROR", 104: "DESTROY_SESSION", 105: "UNBIND_SESSION",
           106: "CREATE_SESSION", 107: "PATH_REQ", 108: "IF_DOWN", 109: "CONN_LOGIN_STATE", 110: "HOST_EVENT",
           111: "PING_COMP"}

out = open(sys.argv[1], "a", buffering=1)


def note(source, text):
    out.write(f"{time.monotonic_ns()} {source} {text}\n")


uev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_KOBJECT_UEVENT)
uev.bind((0, 1))
isc = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ISCSI)
isc.bind((0, ISCSI_NL_GRP_ISCSID))
poller = select.poll()
poller.register(uev, select.POLLIN)
poller.register(isc, select.POLLIN)
files = {}
for path in sys.argv[3:]:
    f = open(path, "rb", buffering=0)
    f.read()  # sysfs arms poll() only after a read
    files[f.fileno()] = (f, path)
    poller.register(f, select.POLLPRI | select.POLLERR)
with open(sys.argv[2] + ".new", "w") as r:
    r.write("ready\n")
os.rename(sys.argv[2] + ".new", sys.argv[2])

while True:
    for fd, _ in poller.poll():
        if fd == uev.fileno():
            fields = uev.recv(65536).split(b"\0")
            env = dict(x.split(b"=", 1) for x in fields[1:] if b"=" in x)
            extra = [f"{k.decode()}={v.decode()}" for k, v in env.items() if k.startswith((b"NVME_", b"SDEV_"))]
            note("uevent", " ".join([env.get(b"ACTION", b"?").decode(), env.get(b"DEVPATH", b"?").decode(),
                                     env.get(b"SUBSYSTEM", b"?").decode()] + extra))
        elif fd == isc.fileno():
            data = isc.recv(65536)
            kind = struct.unpack_from("=I", data, 16)[0] if len(data) >= 20 else -1
            note("iscsi", f"{KEVENTS.get(kind, 'type')} {kind}")
        else:
            f, path = files[fd]
            f.seek(0)
            note("sysfs", f"{path} {f.read().decode().strip()}")
