import CLinux
import Glibc

/// `sd_notify` by hand: one datagram per state change to the socket named by NOTIFY_SOCKET
/// (a path, or an abstract name written with a leading `@`).
public final class SystemdNotifier {
    public let socketName: String
    private let fd: FileDescriptor
    private var address = sockaddr_un()
    private let addressLength: socklen_t

    /// nil when the daemon was not started by systemd with `Type=notify` (NOTIFY_SOCKET unset).
    public static func fromEnvironment() throws(SystemError) -> SystemdNotifier? {
        guard let name = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !name.isEmpty else { return nil }
        return try SystemdNotifier(socketName: name)
    }

    public init(socketName: String) throws(SystemError) {
        self.socketName = socketName
        var bytes = Array(socketName.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 } else { bytes.append(0) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        guard bytes.count <= MemoryLayout.size(ofValue: address.sun_path), bytes.first != nil else {
            throw SystemError("NOTIFY_SOCKET \(socketName)", Errno(rawValue: ENAMETOOLONG))
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        addressLength = socklen_t(pathOffset + bytes.count)
        fd = FileDescriptor(
            rawValue: try valueOrErrno { socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0) }.get("socket AF_UNIX"))
    }

    deinit { fd.close() }

    /// How often systemd wants WATCHDOG=1 (WATCHDOG_USEC), nil when it does not, or when
    /// WATCHDOG_PID names another process.
    public static func watchdogInterval(usec: String?, pid: String?, ourPID: Int32) -> Duration? {
        guard let usec, let n = UInt64(usec), n > 0 else { return nil }
        if let pid, Int32(pid) != ourPID { return nil }
        return .microseconds(n)
    }

    public static func watchdogIntervalFromEnvironment() -> Duration? {
        watchdogInterval(
            usec: getenv("WATCHDOG_USEC").map { String(cString: $0) },
            pid: getenv("WATCHDOG_PID").map { String(cString: $0) }, ourPID: getpid())
    }

    /// Sends newline-separated assignments, e.g. "READY=1\nSTATUS=running". Never blocks.
    public func notify(_ state: String) throws(SystemError) {
        let bytes = Array(state.utf8)
        _ = try withUnsafePointer(to: &address) { a in
            a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bytes.withUnsafeBytes { b in
                    valueOrErrno { sendto(fd.rawValue, b.baseAddress, b.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), sa, addressLength) }
                }
            }
        }.get("sendto \(socketName)")
    }
}
