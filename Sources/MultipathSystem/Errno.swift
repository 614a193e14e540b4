import Glibc

/// An error number from a system call, with the call's name for the log.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    public static var current: Errno { Errno(rawValue: errno) }

    public static let interrupted = Errno(rawValue: EINTR)
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    public static let noEntry = Errno(rawValue: ENOENT)
    public static let noDevice = Errno(rawValue: ENODEV)
    public static let noSuchDeviceOrAddress = Errno(rawValue: ENXIO)
    public static let busy = Errno(rawValue: EBUSY)
    public static let badFileDescriptor = Errno(rawValue: EBADF)
    public static let badAddress = Errno(rawValue: EFAULT)
    public static let invalidArgument = Errno(rawValue: EINVAL)
    public static let permissionDenied = Errno(rawValue: EACCES)
    public static let io = Errno(rawValue: EIO)

    public var description: String { String(cString: strerror(rawValue)) }
}

/// An `Errno` with the system call that returned it: the world's errors, thrown to the caller.
public struct SystemError: Error, Hashable, Sendable, CustomStringConvertible {
    public var call: String
    public var errno: Errno

    public init(_ call: String, _ errno: Errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(errno)" }
}

/// Runs `body` until it does not fail with EINTR (when `retryOnInterrupt`), mapping -1 to the errno.
/// EBADF and EFAULT are programmer errors: they trap instead of being thrown.
@inline(__always)
public func valueOrErrno<T: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ body: () -> T) -> Result<T, Errno> {
    while true {
        let r = body()
        if r != -1 { return .success(r) }
        let e = Errno.current
        if e == .interrupted && retryOnInterrupt { continue }
        precondition(e != .badFileDescriptor && e != .badAddress, "programmer error: \(e)")
        return .failure(e)
    }
}

extension Result where Failure == Errno {
    /// The value, or a `SystemError` naming `call`.
    @inline(__always)
    public func get(_ call: String) throws(SystemError) -> Success {
        switch self {
        case .success(let v): return v
        case .failure(let e): throw SystemError(call, e)
        }
    }
}
