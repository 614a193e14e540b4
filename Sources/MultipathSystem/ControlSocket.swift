import CLinux
import Glibc
import MultipathCore

/// Where the control socket lives: an abstract name (written with a leading `@`) or a file path.
public struct ControlSocketAddress: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }

    public static let abstractDefault = ControlSocketAddress("@/org/kernel/linux/storage/multipathd")
    public static let pathDefault = ControlSocketAddress("/run/multipathd.socket")

    public var isAbstract: Bool { name.hasPrefix("@") }
    public var description: String { name }

    /// What the daemon listens on: `MULTIPATH_SOCKET_NAME` alone when set, else both defaults.
    public static func daemonAddresses(override: String?) -> [ControlSocketAddress] {
        if let override, !override.isEmpty { return [ControlSocketAddress(override)] }
        return [.abstractDefault, .pathDefault]
    }

    /// What a client connects to: `MULTIPATH_SOCKET_NAME` when set, else the abstract default (as 0.9.4).
    public static func clientAddress(override: String?) -> ControlSocketAddress {
        if let override, !override.isEmpty { return ControlSocketAddress(override) }
        return .abstractDefault
    }

    public static var environmentOverride: String? { getenv("MULTIPATH_SOCKET_NAME").map { String(cString: $0) } }

    /// The kernel's form: an abstract name is a leading NUL and the name without a trailing NUL, so the
    /// default's length is 39 (family, NUL, 36 bytes); a path ends in a NUL.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws(SystemError) -> R {
        var bytes = Array(name.utf8)
        if isAbstract { bytes[0] = 0 } else { bytes.append(0) }
        var address = sockaddr_un()
        guard bytes.count > 1, bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else {
            throw SystemError("socket address \(name)", .invalidArgument)
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }
}

/// A listening control socket, bound here or adopted from systemd. Non-blocking.
public final class ControlListener {
    public let fd: FileDescriptor
    /// nil for an adopted socket (systemd owns its address).
    public let address: ControlSocketAddress?

    /// Binds and listens. A path socket left by an earlier run is replaced, and is connectable by
    /// anyone: the daemon checks each peer's credentials itself.
    public init(binding address: ControlSocketAddress, backlog: Int32 = 128) throws(SystemError) {
        let fd = FileDescriptor(
            rawValue: try valueOrErrno {
                socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            }.get("socket AF_UNIX"))
        do throws(SystemError) {
            if !address.isAbstract { unlink(address.name) }
            _ = try address.withSockaddr { sa, len in valueOrErrno { bind(fd.rawValue, sa, len) } }.get("bind \(address)")
            if !address.isAbstract { _ = try valueOrErrno { chmod(address.name, 0o666) }.get("chmod \(address)") }
            _ = try valueOrErrno { listen(fd.rawValue, backlog) }.get("listen \(address)")
        } catch {
            fd.close()
            throw error
        }
        self.fd = fd
        self.address = address
    }

    /// Takes over a socket systemd bound and listens on (socket activation).
    public init(adopting fd: FileDescriptor) throws(SystemError) {
        var listening: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        _ = try valueOrErrno { getsockopt(fd.rawValue, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) }.get("getsockopt \(fd) SO_ACCEPTCONN")
        guard listening != 0 else { throw SystemError("socket activation: \(fd) is not a listening socket", .invalidArgument) }
        _ = try valueOrErrno { CLinux_fcntl_int(fd.rawValue, F_SETFD, FD_CLOEXEC) }.get("fcntl F_SETFD")
        try fd.setNonBlocking()
        self.fd = fd
        address = nil
    }

    deinit {
        fd.close()
        if let address, !address.isAbstract { unlink(address.name) }
    }

    /// The next waiting connection (non-blocking, close-on-exec), nil when none is. A connection that
    /// died before it was accepted is skipped.
    public func accept() throws(SystemError) -> FileDescriptor? {
        while true {
            switch valueOrErrno({ CLinux_accept_nonblocking(fd.rawValue) }) {
            case .success(let c): return FileDescriptor(rawValue: c)
            case .failure(.wouldBlock): return nil
            case .failure(let e) where e.rawValue == ECONNABORTED: continue
            case .failure(let e): throw SystemError("accept on \(address?.description ?? "\(fd)")", e)
            }
        }
    }
}

/// Stream-socket calls shared by the server and the client.
public enum ControlSocketIO {
    /// The connected peer's pid, uid and gid, as the kernel recorded them at connect time.
    public static func peerCredentials(_ fd: FileDescriptor) throws(SystemError) -> PeerCredentials {
        var pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0
        _ = try valueOrErrno { CLinux_peer_credentials(fd.rawValue, &pid, &uid, &gid) }.get("getsockopt SO_PEERCRED")
        return PeerCredentials(pid: pid, uid: uid, gid: gid)
    }

    /// `send` without SIGPIPE: a client that went away is an error return, not a dead daemon.
    public static func send(_ fd: FileDescriptor, _ bytes: UnsafeRawBufferPointer) -> Result<Int, Errno> {
        valueOrErrno { Glibc.send(fd.rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    public static func receive(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        valueOrErrno { recv(fd.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT)) }
    }
}

/// systemd's socket activation: the sockets it passes as fds 3, 4... when LISTEN_PID names us.
public enum SocketActivation {
    public static let firstDescriptor: Int32 = 3

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badCount(String)
        case tooMany(Int)

        public var description: String {
            switch self {
            case .badCount(let s): "socket activation: LISTEN_FDS=\(s) is not a count"
            case .tooMany(let n): "socket activation: \(n) sockets passed, expected 1 or 2 (the abstract and the path socket)"
            }
        }
    }

    /// How many sockets were passed to process `pid` (0: not activated, or passed to another process).
    public static func count(listenPID: String?, listenFDs: String?, pid: Int32) throws(Failure) -> Int {
        guard let listenPID, Int32(listenPID) == pid, let listenFDs else { return 0 }
        guard let n = Int(listenFDs), n >= 0 else { throw .badCount(listenFDs) }
        guard n <= 2 else { throw .tooMany(n) }
        return n
    }

    /// The passed sockets, and the variables removed so that nothing we start inherits them.
    public static func takeFromEnvironment() throws(Failure) -> [FileDescriptor] {
        let env = { (name: String) in getenv(name).map { String(cString: $0) } }
        let n = try count(listenPID: env("LISTEN_PID"), listenFDs: env("LISTEN_FDS"), pid: getpid())
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        return (0..<Int32(n)).map { FileDescriptor(rawValue: firstDescriptor + $0) }
    }
}

/// A blocking client connection: what `multipathd -k` and `multipathd COMMAND` use.
public final class ControlClient {
    public let address: ControlSocketAddress
    private let fd: FileDescriptor

    public init(connectingTo address: ControlSocketAddress) throws(SystemError) {
        let fd = FileDescriptor(
            rawValue: try valueOrErrno {
                socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            }.get("socket AF_UNIX"))
        do throws(SystemError) {
            _ = try address.withSockaddr { sa, len in valueOrErrno { connect(fd.rawValue, sa, len) } }.get("connect \(address)")
        } catch {
            fd.close()
            throw error
        }
        self.fd = fd
        self.address = address
    }

    deinit { fd.close() }

    public enum Failure: Error, CustomStringConvertible {
        case system(SystemError)
        case timedOut(milliseconds: Int)
        case closed
        case badLength(UInt64)

        public var description: String {
            switch self {
            case .system(let e): "\(e)"
            case .timedOut(let ms): "no reply within \(ms) ms"
            case .closed: "the daemon closed the connection"
            case .badLength(let n): "the daemon sent a reply of impossible length \(n)"
            }
        }
    }

    /// Sends one request and waits up to `timeoutMilliseconds` for the whole reply.
    public func request(_ command: String, timeoutMilliseconds: Int) throws(Failure) -> String {
        let frame = ControlFraming.frame(command)
        var sent = 0
        while sent < frame.count {
            let r = frame.withUnsafeBytes { b in
                valueOrErrno { Glibc.send(fd.rawValue, b.baseAddress! + sent, b.count - sent, Int32(MSG_NOSIGNAL)) }
            }
            switch r {
            case .success(let n): sent += n
            case .failure(let e): throw .system(SystemError("send to \(address)", e))
            }
        }
        var header = [UInt8](repeating: 0, count: 8)
        try receiveExactly(&header, timeoutMilliseconds: timeoutMilliseconds)
        let length = header.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        // Replies carry whole topologies; anything past this is a broken peer, not a big reply.
        guard length <= 1 << 30 else { throw .badLength(length) }
        var payload = [UInt8](repeating: 0, count: Int(length))
        try receiveExactly(&payload, timeoutMilliseconds: timeoutMilliseconds)
        if payload.last == 0 { payload.removeLast() }
        return String(decoding: payload, as: UTF8.self)
    }

    private func receiveExactly(_ buffer: inout [UInt8], timeoutMilliseconds: Int) throws(Failure) {
        var got = 0
        while got < buffer.count {
            var p = pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0)
            switch valueOrErrno({ poll(&p, 1, Int32(clamping: timeoutMilliseconds)) }) {
            case .success(0): throw .timedOut(milliseconds: timeoutMilliseconds)
            case .success: break
            case .failure(let e): throw .system(SystemError("poll", e))
            }
            let r = buffer.withUnsafeMutableBytes { b in
                valueOrErrno { recv(fd.rawValue, b.baseAddress! + got, b.count - got, 0) }
            }
            switch r {
            case .success(0): throw .closed
            case .success(let n): got += n
            case .failure(let e): throw .system(SystemError("recv from \(address)", e))
            }
        }
    }
}
