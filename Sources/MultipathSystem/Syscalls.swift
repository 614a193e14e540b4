import CLinux
import Glibc

/// The few system calls a test replaces to play the kernel (EINTR, short reads, like swift-system's
/// mocking). Only reads whose result the edges must interpret and `epoll_wait` go through here; every
/// other call is made directly.
public struct Syscalls {
    public var read: (_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int
    public var epollWait: (_ epfd: Int32, _ events: UnsafeMutablePointer<epoll_event>?, _ max: Int32, _ timeoutMs: Int32) -> Int32

    public init(
        read: @escaping (Int32, UnsafeMutableRawPointer?, Int) -> Int,
        epollWait: @escaping (Int32, UnsafeMutablePointer<epoll_event>?, Int32, Int32) -> Int32
    ) {
        self.read = read
        self.epollWait = epollWait
    }

    /// The real kernel.
    public static var system: Syscalls {
        Syscalls(read: { Glibc.read($0, $1, $2) }, epollWait: { epoll_wait($0, $1, $2, $3) })
    }
}

/// Reads exactly `MemoryLayout<T>.size` bytes into `value`: nil when nothing is ready (EAGAIN),
/// a thrown error for a short read, which these descriptors never do unless something is badly wrong.
func readRecord<T>(
    _ value: inout T, from fd: FileDescriptor, via syscalls: Syscalls, _ call: String,
    retryOnInterrupt: Bool
) throws(SystemError) -> Bool {
    let size = MemoryLayout<T>.size
    let result = withUnsafeMutableBytes(of: &value) { buffer in
        valueOrErrno(retryOnInterrupt: retryOnInterrupt) { syscalls.read(fd.rawValue, buffer.baseAddress, size) }
    }
    switch result {
    case .success(size): return true
    case .success(let n): throw SystemError("\(call): short read of \(n) of \(size) bytes", .io)
    case .failure(.wouldBlock): return false
    case .failure(let e): throw SystemError(call, e)
    }
}
