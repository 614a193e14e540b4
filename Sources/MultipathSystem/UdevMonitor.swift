import CUdev
import MultipathCore

/// A libudev monitor on a netlink source, filtered to whole block disks. Its fd is non-blocking, for the
/// reactor.
public final class UdevMonitor {
    public enum Source: String, Sendable {
        /// Events after udev's rules ran, so ID_SERIAL is set: the daemon's source.
        case udev
        /// The kernel's own events, as they happen, without udev's properties (lab measurements).
        case kernel
    }

    private let udev: OpaquePointer
    private let monitor: OpaquePointer
    public let fileDescriptor: FileDescriptor

    /// Netlink drops events when the socket's buffer is full (a storm of path events): ask for a big one.
    private static let receiveBufferSize: Int32 = 64 << 20

    public init(source: Source = .udev) throws(SystemError) {
        guard let udev = udev_new() else { throw SystemError("udev_new", .current) }
        guard let monitor = udev_monitor_new_from_netlink(udev, source.rawValue) else {
            let e = Errno.current
            udev_unref(udev)
            throw SystemError("udev_monitor_new_from_netlink", e)
        }
        self.udev = udev
        self.monitor = monitor
        fileDescriptor = FileDescriptor(rawValue: udev_monitor_get_fd(monitor))
        try Self.check(
            "udev_monitor_filter_add_match_subsystem_devtype", udev_monitor_filter_add_match_subsystem_devtype(monitor, "block", "disk"))
        // Best effort: without CAP_NET_ADMIN the kernel caps it at rmem_max, which still works.
        _ = udev_monitor_set_receive_buffer_size(monitor, Self.receiveBufferSize)
        try Self.check("udev_monitor_enable_receiving", udev_monitor_enable_receiving(monitor))
        try fileDescriptor.setNonBlocking()
    }

    deinit {
        udev_monitor_unref(monitor)
        udev_unref(udev)
    }

    /// libudev returns a negative errno.
    private static func check(_ call: String, _ r: Int32) throws(SystemError) {
        if r < 0 { throw SystemError(call, Errno(rawValue: -r)) }
    }

    /// The next queued event, or nil when there is none. Throws on a lost or unreadable message
    /// (ENOBUFS: the kernel dropped events because the buffer overflowed).
    public func receive() throws(SystemError) -> Uevent? {
        guard let device = udev_monitor_receive_device(monitor) else {
            let e = Errno.current
            if e == .wouldBlock { return nil }
            throw SystemError("udev_monitor_receive_device", e)
        }
        defer { udev_device_unref(device) }
        return Uevent(udevDevice: device, action: Uevent.Action(udev_device_get_action(device).map { String(cString: $0) } ?? ""))
    }
}
