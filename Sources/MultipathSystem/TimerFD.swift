import CLinux
import Glibc
import MultipathCore

/// A CLOCK_MONOTONIC timerfd armed at absolute instants (TFD_TIMER_ABSTIME), so arming late never
/// shifts the deadline. Non-blocking: reading an unexpired timer gives 0.
public struct TimerFD {
    public let fd: FileDescriptor
    public var syscalls: Syscalls

    public init(syscalls: Syscalls = .system) throws(SystemError) {
        let flags = Int32(TFD_NONBLOCK) | Int32(TFD_CLOEXEC)
        fd = FileDescriptor(rawValue: try valueOrErrno { timerfd_create(CLOCK_MONOTONIC, flags) }.get("timerfd_create"))
        self.syscalls = syscalls
    }

    /// Arms for `deadline`, or disarms for nil (an all-zero it_value means disarm to the kernel).
    func _set(_ deadline: Instant?) -> Result<Void, Errno> {
        var spec = itimerspec()
        if let deadline {
            let ns = max(deadline.nanoseconds, 1)  // 0 would disarm; 1 ns is long past, so it fires at once
            spec.it_value = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        }
        return valueOrErrno { timerfd_settime(fd.rawValue, Int32(TFD_TIMER_ABSTIME), &spec, nil) }.map { _ in }
    }

    /// Becomes readable once CLOCK_MONOTONIC reaches `deadline` (at once if it already has).
    public func arm(at deadline: Instant) throws(SystemError) {
        try _set(deadline).get("timerfd_settime")
    }

    public func disarm() throws(SystemError) {
        try _set(nil).get("timerfd_settime")
    }

    /// Expirations since the last read (0 or 1 for a one-shot timer), 0 when it has not expired.
    public func readExpirations(retryOnInterrupt: Bool = true) throws(SystemError) -> UInt64 {
        var count: UInt64 = 0
        guard try readRecord(&count, from: fd, via: syscalls, "read timerfd", retryOnInterrupt: retryOnInterrupt) else { return 0 }
        return count
    }
}
