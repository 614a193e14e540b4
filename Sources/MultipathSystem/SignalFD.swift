import CLinux
import Glibc

/// Signals delivered as reads on a descriptor rather than to asynchronous handlers.
///
/// A signal reaches the signalfd only while it is blocked: `block` blocks it in the calling thread
/// (pthread_sigmask), and threads created later inherit that mask, so the daemon blocks its signals on
/// the main thread before anything else starts. A signalfd reads what is pending for the process and for
/// the reading thread, so `raise()` (thread-directed) is seen by a signalfd read on the same thread.
public struct SignalFD {
    public let fd: FileDescriptor
    public var syscalls: Syscalls

    /// Blocks `signals` in the calling thread so that they stay pending instead of running their action.
    public static func block(_ signals: [Int32]) throws(SystemError) {
        precondition(!signals.contains(SIGKILL) && !signals.contains(SIGSTOP), "SIGKILL and SIGSTOP cannot be blocked")
        var set = signalSet(signals)
        let r = pthread_sigmask(SIG_BLOCK, &set, nil)  // returns the error number, not -1
        if r != 0 { throw SystemError("pthread_sigmask", Errno(rawValue: r)) }
    }

    /// A signalfd for `signals` (which the caller blocks).
    public init(_ signals: [Int32], syscalls: Syscalls = .system) throws(SystemError) {
        var set = Self.signalSet(signals)
        let flags = Int32(SFD_NONBLOCK) | Int32(SFD_CLOEXEC)
        fd = FileDescriptor(rawValue: try valueOrErrno { signalfd(-1, &set, flags) }.get("signalfd"))
        self.syscalls = syscalls
    }

    /// Replaces the set of signals this descriptor reports.
    public func update(_ signals: [Int32]) throws(SystemError) {
        var set = Self.signalSet(signals)
        let flags = Int32(SFD_NONBLOCK) | Int32(SFD_CLOEXEC)
        _ = try valueOrErrno { signalfd(fd.rawValue, &set, flags) }.get("signalfd")
    }

    /// The next pending signal's number, or nil when none is pending.
    public func read(retryOnInterrupt: Bool = true) throws(SystemError) -> Int32? {
        var info = signalfd_siginfo()
        guard try readRecord(&info, from: fd, via: syscalls, "read signalfd", retryOnInterrupt: retryOnInterrupt) else { return nil }
        return Int32(bitPattern: info.ssi_signo)
    }

    private static func signalSet(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        return set
    }
}
