import Glibc
import MultipathCore
import MultipathSystem

/// Opens `attempts` connections to the daemon as fast as the kernel takes them (non-blocking: a full
/// backlog refuses at once with EAGAIN), holds them `holdMilliseconds`, then closes them all. Returns
/// how many connected, how many of those the daemon had already closed (over its client limit), and
/// how many the kernel refused.
func controlFlood(attempts: Int, holdMilliseconds: Int) throws -> (connected: Int, closed: Int, refused: Int) {
    _ = FileLimit.raise(to: attempts + 64)
    let address = ControlSocketAddress.clientAddress(override: ControlSocketAddress.environmentOverride)
    var held: [Int32] = []
    var refused = 0
    defer { held.forEach { close($0) } }
    for _ in 0..<attempts {
        let fd = try valueOrErrno {
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        }.get("socket AF_UNIX")
        switch try address.withSockaddr({ sa, len in valueOrErrno { connect(fd, sa, len) } }) {
        case .success: held.append(fd)
        case .failure(let e) where e == .wouldBlock:
            refused += 1
            close(fd)
        case .failure(let e):
            close(fd)
            throw SystemError("connect \(address)", e)
        }
    }
    usleep(UInt32(holdMilliseconds) * 1000)
    var byte: UInt8 = 0
    let closed = held.filter { recv($0, &byte, 1, Int32(MSG_DONTWAIT)) == 0 }.count
    return (held.count, closed, refused)
}

/// Sends the length and the first 3 bytes of `show daemon` and nothing more; returns what the daemon
/// answered and the milliseconds until it closed the connection (at most 30 s).
func controlStall() throws -> (ms: Double, reply: String) {
    let fd = try rawControlConnection()
    defer { close(fd) }
    let partial = Array(ControlFraming.frame("show daemon").prefix(11))
    _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    let clock = MonotonicClock()
    let t0 = clock.now
    var decoder = ControlRequestDecoder(limit: 1 << 20)
    var reply = ""
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 30_000) > 0 else { throw SystemError("no close within 30 s", Errno(rawValue: ETIMEDOUT)) }
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        for case .request(let text) in decoder.feed(chunk[..<n]) { reply += text }
    }
    return (Double((clock.now - t0).nanosecondsClamped) / 1e6, reply)
}
