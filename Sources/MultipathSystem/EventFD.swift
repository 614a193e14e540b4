import CLinux
import Glibc

/// A kernel counter that is readable while non-zero: how a loop is woken. Non-blocking.
public struct EventFD {
    public let fd: FileDescriptor
    public var syscalls: Syscalls

    public init(syscalls: Syscalls = .system) throws(SystemError) {
        let flags = Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)
        fd = FileDescriptor(rawValue: try valueOrErrno { eventfd(0, flags) }.get("eventfd"))
        self.syscalls = syscalls
    }

    /// Adds `n` to the counter, making the descriptor readable.
    public func signal(_ n: UInt64 = 1) throws(SystemError) {
        var value = n
        _ = try withUnsafeBytes(of: &value) { fd.write($0) }.get("write eventfd")
    }

    /// Reads and resets the counter: 0 when it was already zero.
    public func drain(retryOnInterrupt: Bool = true) throws(SystemError) -> UInt64 {
        var count: UInt64 = 0
        guard try readRecord(&count, from: fd, via: syscalls, "read eventfd", retryOnInterrupt: retryOnInterrupt) else { return 0 }
        return count
    }
}
