import CLinux
import Glibc

/// A raw file descriptor. Ownership is the holder's: `close()` it exactly once.
public struct FileDescriptor: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    public var description: String { "fd \(rawValue)" }

    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0, retryOnInterrupt: Bool = true) throws(SystemError)
        -> FileDescriptor
    {
        let fd = try valueOrErrno(retryOnInterrupt: retryOnInterrupt) { Glibc.open(path, flags | O_CLOEXEC, mode) }.get("open \(path)")
        return FileDescriptor(rawValue: fd)
    }

    /// Never retried: after EINTR the descriptor is already gone on Linux.
    public func close() {
        _ = Glibc.close(rawValue)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, retryOnInterrupt: Bool = true) -> Result<Int, Errno> {
        valueOrErrno(retryOnInterrupt: retryOnInterrupt) { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// pread(2): from `offset`, leaving the file position alone.
    public func read(into buffer: UnsafeMutableRawBufferPointer, atOffset offset: Int) -> Result<Int, Errno> {
        valueOrErrno { Glibc.pread(rawValue, buffer.baseAddress, buffer.count, offset) }
    }

    public func write(_ buffer: UnsafeRawBufferPointer, retryOnInterrupt: Bool = true) -> Result<Int, Errno> {
        valueOrErrno(retryOnInterrupt: retryOnInterrupt) { Glibc.write(rawValue, buffer.baseAddress, buffer.count) }
    }

    public func ioctl(_ request: UInt, _ argument: UnsafeMutableRawPointer, retryOnInterrupt: Bool = true) -> Result<Int32, Errno> {
        valueOrErrno(retryOnInterrupt: retryOnInterrupt) { CLinux_ioctl_ptr(rawValue, request, argument) }
    }

    public func setNonBlocking() throws(SystemError) {
        let flags = try valueOrErrno { CLinux_fcntl_int(rawValue, F_GETFL, 0) }.get("fcntl F_GETFL")
        _ = try valueOrErrno { CLinux_fcntl_int(rawValue, F_SETFL, flags | O_NONBLOCK) }.get("fcntl F_SETFL")
    }

    /// Up to `limit` bytes of the file at `path`; nil when it is absent or unreadable.
    /// `shortReadEnds`: a read shorter than asked is the end (true of sysfs attributes, which the kernel
    /// hands out whole; not of procfs or pipes), which saves the read that returns 0.
    public static func readFile(_ path: String, limit: Int, shortReadEnds: Bool = false) -> [UInt8]? {
        guard let fd = try? FileDescriptor.open(path, O_RDONLY) else { return nil }
        defer { fd.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(4096, limit))
        while bytes.count < limit {
            let want = min(chunk.count, limit - bytes.count)
            let r = chunk.withUnsafeMutableBytes { fd.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<want])) }
            guard case .success(let n) = r else { return nil }
            if n == 0 { break }
            bytes += chunk[..<n]
            if shortReadEnds && n < want { break }
        }
        return bytes
    }
}
