import Glibc

/// The single-instance lock: a pid file held with `flock` for the daemon's life. The lock, not the
/// file's existence, decides: a file left by a crashed daemon is simply taken over.
public final class PidFile {
    public static let defaultPath = "/run/multipathd.pid"

    public let path: String
    private let fd: FileDescriptor

    public enum Failure: Error, CustomStringConvertible {
        /// Another process holds the lock; `pid` is what that process wrote, if readable.
        case alreadyRunning(path: String, pid: Int32?)
        case system(SystemError)

        public var description: String {
            switch self {
            case .alreadyRunning(let path, let pid):
                "another multipathd is running (\(pid.map { "pid \($0), " } ?? "")\(path) is locked)"
            case .system(let e): "pid file: \(e)"
            }
        }
    }

    public init(path: String = defaultPath, pid: Int32 = getpid()) throws(Failure) {
        self.path = path
        do { fd = try FileDescriptor.open(path, O_RDWR | O_CREAT, mode: 0o644) } catch { throw .system(error) }
        do {
            _ = try valueOrErrno { flock(fd.rawValue, LOCK_EX | LOCK_NB) }.get("flock \(path)")
            _ = try valueOrErrno { ftruncate(fd.rawValue, 0) }.get("ftruncate \(path)")
            let text = Array("\(pid)\n".utf8)
            _ = try text.withUnsafeBytes { b in valueOrErrno { pwrite(fd.rawValue, b.baseAddress, b.count, 0) } }.get("write \(path)")
        } catch {
            let holder = error.errno == .wouldBlock ? Self.readPid(fd) : nil
            fd.close()
            throw error.errno == .wouldBlock ? .alreadyRunning(path: path, pid: holder) : .system(error)
        }
    }

    private static func readPid(_ fd: FileDescriptor) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let n = bytes.withUnsafeMutableBytes { b in pread(fd.rawValue, b.baseAddress, b.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: bytes[..<n], as: UTF8.self).filter { !$0.isWhitespace })
    }

    /// Unlinks the file, then releases the lock (in that order, so a starting daemon never locks a file
    /// that is about to vanish).
    public func remove() {
        unlink(path)
        fd.close()
    }
}
